package dev.lockstep.data;

import java.util.SplittableRandom;

/**
 * A fresh permutation each epoch, determined by (seed, epoch) alone, so runs with the same seed
 * visit the same order whatever else draws random numbers.
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

    /** Fisher–Yates over 0..n-1 with a generator seeded by (seed, epoch). */
    public static long[] permutation(long n, long seed, int epoch) {
        long[] out = new SequentialSampler(n).indices(epoch);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long tmp = out[i];
            out[i] = out[j];
            out[j] = tmp;
        }
        return out;
    }
}
