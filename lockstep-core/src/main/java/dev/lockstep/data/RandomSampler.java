package dev.lockstep.data;

import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;

/**
 * A fresh permutation each epoch, determined by (seed, epoch) alone, so runs with the same seed
 * visit the same order whatever else draws random numbers. It is the order PyTorch's
 * {@code DistributedSampler(shuffle=True, seed=seed)} draws after {@code set_epoch(epoch)}:
 * {@code torch.randperm(size, generator)} with the generator seeded by {@code seed + epoch}.
 */
public record RandomSampler(long size, long seed) implements Sampler {

    @Override
    public long[] indices(int epoch) {
        return permutation(size, seed, epoch);
    }

    @Override
    public long length(int epoch) {
        return size;
    }

    /** A permutation of 0..n-1 drawn by libtorch's generator seeded with {@code seed + epoch}. */
    public static long[] permutation(long n, long seed, int epoch) {
        try (MemoryScope scope = MemoryScope.open()) {
            return Tensor.randperm(Math.toIntExact(n), seed + epoch).toLongArray();
        }
    }
}
