package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;
import java.util.Objects;

/** {@code nn.CrossEntropyLoss}: log-softmax over dim 1 then negative log-likelihood of int64 class targets. */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;

    public CrossEntropyLoss() {
        this(Reduction.MEAN);
    }

    public CrossEntropyLoss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, reduction);
    }
}
