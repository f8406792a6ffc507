package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** A criterion, as PyTorch's loss modules: {@code loss = criterion.forward(output, target)}. */
@FunctionalInterface
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
