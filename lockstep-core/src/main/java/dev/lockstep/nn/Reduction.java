package dev.lockstep.nn;

/** How a loss reduces over the batch, as PyTorch's {@code reduction=}. */
public enum Reduction {
    NONE(0), MEAN(1), SUM(2);

    final long code;

    Reduction(long code) {
        this.code = code; // libtorch's at::Reduction enum values
    }
}
