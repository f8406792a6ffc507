package dev.lockstep.data;

/** 0, 1, ..., n-1 every epoch. */
public record SequentialSampler(long size) implements Sampler {

    @Override
    public long[] indices(int epoch) {
        long[] out = new long[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) {
            out[i] = i;
        }
        return out;
    }

    @Override
    public long length(int epoch) {
        return size;
    }
}
