package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** The functional namespace, as {@code torch.nn.functional} (imported as F in the seeds). */
public final class F {
    private static final long NO_IGNORE_INDEX = -100; // PyTorch's default ignore_index

    private F() {
    }

    private static TensorOptional optional(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t.unwrap());
    }

    public static Tensor relu(Tensor x) {
        return Tensor.wrap(torch.relu(x.unwrap()));
    }

    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Tensor.wrap(torch.linear(x.unwrap(), weight.unwrap(), optional(bias)));
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long stride, long padding) {
        return Tensor.wrap(torch.conv2d(x.unwrap(), weight.unwrap(), optional(bias),
                new long[] {stride, stride}, new long[] {padding, padding}, new long[] {1, 1}, 1));
    }

    public static Tensor maxPool2d(Tensor x, long kernelSize, long stride) {
        return Tensor.wrap(torch.max_pool2d(x.unwrap(), new long[] {kernelSize, kernelSize},
                new long[] {stride, stride}, new long[] {0, 0}, new long[] {1, 1}, false));
    }

    public static Tensor logSoftmax(Tensor x, long dim) {
        return Tensor.wrap(torch.log_softmax(x.unwrap(), dim));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
        return Tensor.wrap(torch.cross_entropy_loss(input.unwrap(), target.unwrap(), new TensorOptional(),
                reduction.code, NO_IGNORE_INDEX, 0.0));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, Reduction.MEAN);
    }
}
