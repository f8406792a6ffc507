package dev.lockstep.models;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;

/**
 * Seed 003's data: x ~ N(0, 1)^10 and y = x·w + 0.1·noise for a fixed random w, drawn from
 * libtorch's generator with the given seed, so a seed always gives the same data.
 */
public final class SyntheticRegression {
    public static final int FEATURES = 10;

    private SyntheticRegression() {
    }

    /** {@code train} and {@code test} sets of the given sizes from one hidden linear map. */
    public static TensorDataset[] generate(long seed, int trainSize, int testSize) {
        Torch.manualSeed(seed);
        try (NoGrad g = NoGrad.open()) {
            Tensor w = Tensor.randn(DType.FLOAT32, FEATURES, 1);
            return new TensorDataset[] {split(w, trainSize), split(w, testSize)};
        }
    }

    private static TensorDataset split(Tensor w, int n) {
        Tensor x = Tensor.randn(DType.FLOAT32, n, FEATURES);
        Tensor y = x.matmul(w).add(Tensor.randn(DType.FLOAT32, n, 1).mul(0.1));
        return new TensorDataset(x, y);
    }
}
