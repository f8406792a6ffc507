package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.MaxPool2d}; the stride defaults to the kernel size, as in PyTorch. */
public final class MaxPool2d extends Module {
    private final long kernelSize;
    private final long stride;

    public MaxPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool2d(long kernelSize, long stride) {
        if (kernelSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException("MaxPool2d needs positive kernel and stride, got " + kernelSize + ", " + stride);
        }
        this.kernelSize = kernelSize;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, kernelSize, stride);
    }
}
