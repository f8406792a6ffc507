package dev.lockstep.models;

import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.F;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MaxPool2d;
import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Tensor;

/** Seed 000: Conv2d(1,32,3,1,1) → ReLU → MaxPool2d(2) → Linear(32·14·14, 10). */
public final class SimpleCNN extends Module {
    private final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 32, 3, 1, 1));
    private final MaxPool2d pool = registerModule("pool", new MaxPool2d(2));
    private final Linear fc1 = registerModule("fc1", new Linear(32 * 14 * 14, 10));

    @Override
    public Tensor forward(Tensor x) {
        x = pool.forward(F.relu(conv1.forward(x)));
        return fc1.forward(x.flatten(1, -1));
    }
}
