package dev.lockstep.data;

import java.util.Arrays;

/** {@code torch.utils.data.Subset}: the examples of a dataset at the given indices. */
public final class Subset implements Dataset {
    private final Dataset dataset;
    private final long[] indices;

    public Subset(Dataset dataset, long[] indices) {
        for (long i : indices) {
            if (i < 0 || i >= dataset.size()) {
                throw new IllegalArgumentException("index " + i + " is outside the dataset's 0.." + (dataset.size() - 1));
            }
        }
        this.dataset = dataset;
        this.indices = indices.clone();
    }

    /** The first {@code n} examples (all of them when the dataset is smaller). */
    public static Subset first(Dataset dataset, long n) {
        return new Subset(dataset, new SequentialSampler(Math.min(n, dataset.size())).indices(0));
    }

    @Override
    public long size() {
        return indices.length;
    }

    @Override
    public Batch get(long[] positions) {
        return dataset.get(map(positions));
    }

    @Override
    public Batch get(long[] positions, long epoch) {
        return dataset.get(map(positions), epoch);
    }

    private long[] map(long[] positions) {
        return Arrays.stream(positions).map(p -> indices[Math.toIntExact(p)]).toArray();
    }
}
