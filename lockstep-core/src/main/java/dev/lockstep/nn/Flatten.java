package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.Flatten}: flattens dims 1..-1, keeping the batch dimension. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(1, -1);
    }
}
