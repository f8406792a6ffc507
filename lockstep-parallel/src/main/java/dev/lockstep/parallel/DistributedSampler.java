package dev.lockstep.parallel;

import dev.lockstep.data.RandomSampler;
import dev.lockstep.data.Sampler;
import dev.lockstep.data.SequentialSampler;
import java.util.Arrays;
import java.util.Objects;

/**
 * One rank's share of each epoch, as {@code torch.utils.data.DistributedSampler}: the global order
 * (a function of the epoch alone, so every rank computes the same one) is padded by repeating its
 * start until it divides evenly — or cut, with {@code dropLast} — and rank r takes positions
 * r, r+N, r+2N, ... Every rank therefore gets the same number of samples and the same number of
 * batches, which DDP needs.
 */
public final class DistributedSampler implements Sampler {
    private final Sampler globalOrder;
    private final int numReplicas;
    private final int rank;
    private final boolean dropLast;

    /** Shards any global order (a {@link RandomSampler} with the job's seed, say). */
    public DistributedSampler(Sampler globalOrder, int numReplicas, int rank, boolean dropLast) {
        if (numReplicas < 1) {
            throw new IllegalArgumentException("numReplicas must be >= 1, got " + numReplicas);
        }
        if (rank < 0 || rank >= numReplicas) {
            throw new IllegalArgumentException("rank must be in 0.." + (numReplicas - 1) + ", got " + rank);
        }
        this.globalOrder = Objects.requireNonNull(globalOrder, "globalOrder");
        this.numReplicas = numReplicas;
        this.rank = rank;
        this.dropLast = dropLast;
    }

    /** PyTorch's signature: shuffled with (seed, epoch) or in order. */
    public DistributedSampler(long datasetSize, int numReplicas, int rank, boolean shuffle, long seed,
                              boolean dropLast) {
        this(shuffle ? new RandomSampler(datasetSize, seed) : new SequentialSampler(datasetSize),
                numReplicas, rank, dropLast);
    }

    @Override
    public long[] indices(int epoch) {
        long[] order = globalOrder.indices(epoch);
        int perRank = numSamples(order.length);
        long[] total = new long[perRank * numReplicas];
        for (int i = 0; i < total.length; i++) {
            total[i] = order[i % order.length];
        }
        long[] mine = new long[perRank];
        for (int i = 0; i < perRank; i++) {
            mine[i] = total[rank + i * numReplicas];
        }
        return mine;
    }

    @Override
    public long length(int epoch) {
        return numSamples(Math.toIntExact(globalOrder.length(epoch)));
    }

    /** Samples per rank for a global order of {@code n}: ceil(n/N), or floor(n/N) with dropLast. */
    private int numSamples(int n) {
        if (n == 0) {
            return 0;
        }
        return dropLast ? n / numReplicas : (n + numReplicas - 1) / numReplicas;
    }

    @Override
    public String toString() {
        return "DistributedSampler(rank " + rank + " of " + numReplicas + ", dropLast=" + dropLast + ", "
                + globalOrder + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistributedSampler s && s.globalOrder.equals(globalOrder)
                && s.numReplicas == numReplicas && s.rank == rank && s.dropLast == dropLast;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {globalOrder, numReplicas, rank, dropLast});
    }
}
