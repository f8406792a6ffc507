package dev.lockstep.data;

/** Chooses which dataset indices an epoch visits, and in which order. */
public interface Sampler {

    /** The indices for {@code epoch}; the same epoch always gives the same order. */
    long[] indices(int epoch);

    /**
     * How many indices {@code epoch} visits ({@code len(sampler)}); samplers that know it without
     * computing the order override this.
     */
    default long length(int epoch) {
        return indices(epoch).length;
    }
}
