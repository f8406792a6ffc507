package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;
import java.util.Objects;

/** {@code nn.NLLLoss}: negative log-likelihood of int64 class targets given log-probabilities over dim 1. */
public final class NLLLoss implements Loss {
    private final Reduction reduction;

    public NLLLoss() {
        this(Reduction.MEAN);
    }

    public NLLLoss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.nllLoss(input, target, reduction);
    }
}
