package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;
import java.util.Objects;

/** {@code nn.MSELoss}: squared error between input and a target of the same shape. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
