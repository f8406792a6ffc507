package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.Conv2d} with square kernels, stride and zero padding. */
public final class Conv2d extends Module {
    public final Tensor weight;
    public final Tensor bias;
    private final long stride;
    private final long padding;

    public Conv2d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, true);
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, boolean bias) {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d needs positive channels, kernel and stride and padding >= 0, got in="
                    + inChannels + " out=" + outChannels + " kernel=" + kernelSize + " stride=" + stride + " padding=" + padding);
        }
        this.stride = stride;
        this.padding = padding;
        this.weight = registerParameter("weight", Tensor.zeros(outChannels, inChannels, kernelSize, kernelSize));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        Init.defaultLinearInit(weight, this.bias, inChannels * kernelSize * kernelSize);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv2d(input, weight, bias, stride, padding);
    }
}
