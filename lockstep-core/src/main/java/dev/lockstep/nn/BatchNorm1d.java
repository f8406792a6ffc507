package dev.lockstep.nn;

/** {@code nn.BatchNorm1d} over input [N, C] or [N, C, L]. */
public final class BatchNorm1d extends BatchNorm {

    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    public BatchNorm1d(long numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, 2, 3);
    }
}
