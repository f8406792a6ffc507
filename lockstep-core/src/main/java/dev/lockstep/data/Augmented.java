package dev.lockstep.data;

import dev.lockstep.data.transforms.RandomTransform;
import java.util.Objects;

/**
 * A dataset whose inputs pass through a {@link RandomTransform} drawn anew every epoch, as a
 * torchvision dataset with a random transform. An example's draw depends only on the seed, the
 * epoch and the example's index, so the batch order, the number of loader workers, DDP sharding
 * and resuming from a checkpoint all leave it unchanged.
 */
public final class Augmented implements Dataset {
    private final Dataset dataset;
    private final RandomTransform transform;
    private final long seed;

    public Augmented(Dataset dataset, RandomTransform transform, long seed) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.transform = Objects.requireNonNull(transform, "transform");
        this.seed = seed;
    }

    @Override
    public long size() {
        return dataset.size();
    }

    /** The batch as epoch 0 sees it. */
    @Override
    public Batch get(long[] indices) {
        return get(indices, 0);
    }

    @Override
    public Batch get(long[] indices, long epoch) {
        Batch batch = dataset.get(indices, epoch);
        long[] draws = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            draws[i] = draw(seed, epoch, indices[i]);
        }
        return new Batch(transform.apply(batch.input(), draws), batch.target());
    }

    /** SplitMix64's finaliser over the three, so that neighbouring seeds, epochs and indices draw unrelated bits. */
    static long draw(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xD1B54A32D192ED03L + index * 0xABC98388FB8FAC03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
