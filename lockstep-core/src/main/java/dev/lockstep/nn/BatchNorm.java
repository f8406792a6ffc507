package dev.lockstep.nn;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share (PyTorch's {@code _BatchNorm}): affine
 * parameters and running statistics per channel (dim 1), under PyTorch's state-dict names. The
 * subclasses differ only in the input ranks they accept.
 */
abstract class BatchNorm extends Module {
    public final Tensor weight;
    public final Tensor bias;
    public final Tensor runningMean;
    public final Tensor runningVar;
    public final Tensor numBatchesTracked;
    private final long numFeatures;
    private final double eps;
    private final double momentum;
    private final int[] inputDims;

    BatchNorm(long numFeatures, double eps, double momentum, int... inputDims) {
        String name = getClass().getSimpleName();
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(name + " needs numFeatures > 0, got " + numFeatures);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(name + " needs eps > 0, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name + " needs momentum in [0, 1], got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.inputDims = inputDims;
        this.weight = registerParameter("weight", Tensor.ones(numFeatures));
        this.bias = registerParameter("bias", Tensor.zeros(numFeatures));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        this.runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        Tensor out = F.batchNorm(input, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
        if (isTraining()) {
            try (NoGrad g = NoGrad.open()) {
                // int64 + int64 keeps the count exact; a double scalar would promote it to float32.
                numBatchesTracked.copyFrom(numBatchesTracked.add(Tensor.ones(DType.INT64)));
            }
        }
        return out;
    }

    private void checkInput(Tensor input) {
        String name = getClass().getSimpleName();
        long[] shape = input.shape();
        if (Arrays.stream(inputDims).noneMatch(d -> d == shape.length)) {
            String expected = IntStream.of(inputDims).mapToObj(d -> d + "D").collect(Collectors.joining(" or "));
            throw new IllegalArgumentException(name + " expects " + expected + " input, got shape " + Arrays.toString(shape));
        }
        if (shape[1] != numFeatures) {
            throw new IllegalArgumentException(name + " has " + numFeatures + " features but input has "
                    + shape[1] + " channels in dim 1, shape " + Arrays.toString(shape));
        }
        // One value per channel has no variance to normalise by (PyTorch raises the same).
        if (isTraining() && input.numel() / numFeatures == 1) {
            throw new IllegalArgumentException(name + " needs more than 1 value per channel when training, got shape "
                    + Arrays.toString(shape));
        }
    }
}
