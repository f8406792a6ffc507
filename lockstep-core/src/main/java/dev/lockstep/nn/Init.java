package dev.lockstep.nn;

import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;

/** Parameter initialisers, as {@code torch.nn.init}; all draw from libtorch's default generator. */
public final class Init {
    private Init() {
    }

    /**
     * PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d}: kaiming-uniform with
     * a = sqrt(5) on the weight, which is U(-1/sqrt(fanIn), 1/sqrt(fanIn)); the bias draws from
     * the same bound.
     */
    public static void defaultLinearInit(Tensor weight, Tensor bias, long fanIn) {
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
        try (NoGrad g = NoGrad.open()) {
            weight.uniformInPlace(-bound, bound);
            if (bias != null) {
                bias.uniformInPlace(-bound, bound);
            }
        }
    }
}
