package dev.lockstep.nn;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.NativeArgs;
import dev.lockstep.tensor.Tensor;
import java.util.Arrays;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** The functional namespace, as {@code torch.nn.functional} (imported as F in the seeds). */
public final class F {
    private static final long NO_IGNORE_INDEX = -100; // PyTorch's default ignore_index

    private F() {
    }

    private static TensorOptional optional(Tensor t) {
        return t == null ? NativeArgs.NO_TENSOR : new TensorOptional(t.unwrap());
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

    /** Average pooling without padding; windows that do not fit are dropped (ceil_mode=False). */
    public static Tensor avgPool2d(Tensor x, long kernelSize, long stride) {
        checkPool("avgPool2d", kernelSize, stride);
        return Tensor.wrap(torch.avg_pool2d(x.unwrap(), new long[] {kernelSize, kernelSize},
                new long[] {stride, stride}, new long[] {0, 0}, false, true, new LongOptional()));
    }

    static void checkPool(String what, long kernelSize, long stride) {
        if (kernelSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException(what + " needs positive kernel and stride, got " + kernelSize + ", " + stride);
        }
    }

    /**
     * Zeroes each element with probability {@code p} and scales the rest by 1/(1-p) when
     * {@code training}; the identity otherwise. The mask comes from libtorch's default generator.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        checkDropoutProbability(p);
        return Tensor.wrap(torch.dropout(x.unwrap(), p, training));
    }

    static void checkDropoutProbability(double p) {
        if (!(p >= 0 && p <= 1)) { // also rejects NaN; 1 drops everything, as in PyTorch
            throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        }
    }

    /**
     * Normalises over every dimension but 1 (the channels), as {@code F.batch_norm}. In training it
     * uses the batch statistics and, when running stats are given, updates them in place:
     * {@code running = (1 - momentum) * running + momentum * batch}, with the unbiased variance.
     * Otherwise it uses the running stats. {@code weight} and {@code bias} may be null.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            boolean training, double momentum, double eps) {
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batchNorm outside training needs running mean and variance");
        }
        return Tensor.wrap(torch.batch_norm(input.unwrap(), optional(weight), optional(bias), optional(runningMean),
                optional(runningVar), training, momentum, eps, true));
    }

    public static Tensor logSoftmax(Tensor x, long dim) {
        return Tensor.wrap(torch.log_softmax(x.unwrap(), dim));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
        return Tensor.wrap(torch.cross_entropy_loss(input.unwrap(), target.unwrap(), NativeArgs.NO_TENSOR,
                reduction.code, NO_IGNORE_INDEX, 0.0));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, Reduction.MEAN);
    }

    /** Negative log-likelihood of int64 class {@code target}s given log-probabilities over dim 1. */
    public static Tensor nllLoss(Tensor input, Tensor target, Reduction reduction) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException("nllLoss needs int64 class indices as target, got " + target.dtype());
        }
        return Tensor.wrap(torch.nll_loss(input.unwrap(), target.unwrap(), NativeArgs.NO_TENSOR, reduction.code,
                NO_IGNORE_INDEX));
    }

    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, Reduction.MEAN);
    }

    /**
     * Squared error {@code (input - target)²}. Unlike PyTorch, which only warns, differing shapes
     * are rejected: broadcasting them is almost always a bug.
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mseLoss needs input and target of the same shape, got "
                    + Arrays.toString(input.shape()) + " and " + Arrays.toString(target.shape()));
        }
        return Tensor.wrap(torch.mse_loss(input.unwrap(), target.unwrap(), reduction.code));
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }
}
