package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.AvgPool2d}; the stride defaults to the kernel size, as in PyTorch. */
public final class AvgPool2d extends Module {
    private final long kernelSize;
    private final long stride;

    public AvgPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    public AvgPool2d(long kernelSize, long stride) {
        F.checkPool("AvgPool2d", kernelSize, stride);
        this.kernelSize = kernelSize;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.avgPool2d(input, kernelSize, stride);
    }
}
