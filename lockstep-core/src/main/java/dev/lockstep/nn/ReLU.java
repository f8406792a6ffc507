package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.ReLU}. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return F.relu(input);
    }
}
