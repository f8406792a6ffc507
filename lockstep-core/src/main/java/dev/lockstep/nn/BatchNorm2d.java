package dev.lockstep.nn;

/** {@code nn.BatchNorm2d} over input [N, C, H, W]. */
public final class BatchNorm2d extends BatchNorm {

    public BatchNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    public BatchNorm2d(long numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, 4);
    }
}
