package dev.lockstep.models;

import dev.lockstep.nn.F;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Tensor;

/**
 * Linear → ReLU → Linear on flattened input: the seeds' MLP (784-256-10), SimpleNN (784-128-10)
 * and regression net (10-100-1) differ only in sizes. Parameters are {@code fc1.*}, {@code fc2.*}.
 */
public final class TwoLayerNet extends Module {
    private final Linear fc1;
    private final Linear fc2;

    public TwoLayerNet(long in, long hidden, long out) {
        fc1 = registerModule("fc1", new Linear(in, hidden));
        fc2 = registerModule("fc2", new Linear(hidden, out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fc2.forward(F.relu(fc1.forward(x.flatten(1, -1))));
    }
}
