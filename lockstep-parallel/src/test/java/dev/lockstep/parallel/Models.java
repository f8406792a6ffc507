package dev.lockstep.parallel;

import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.Flatten;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MaxPool2d;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;

/** Small seeded models for the tests, in float64 so equivalence is limited by arithmetic only. */
final class Models {

    private Models() {
    }

    /** 6 features → 3 classes. */
    static Module mlp(long seed) {
        Torch.manualSeed(seed);
        return toDouble(new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 3)));
    }

    /** 1×8×8 images → 3 classes. */
    static Module cnn(long seed) {
        Torch.manualSeed(seed);
        return toDouble(new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(4 * 4 * 4, 3)));
    }

    static Module toDouble(Module m) {
        try (NoGrad g = NoGrad.open()) {
            m.stateDict().values().forEach(t -> t.setData(t.to(DType.FLOAT64)));
        }
        return m;
    }

    static double maxRelativeDifference(Module a, Module b) {
        double worst = 0;
        for (var e : a.stateDict().entrySet()) {
            worst = Math.max(worst, e.getValue().maxRelativeDifference(b.stateDict().get(e.getKey())));
        }
        return worst;
    }

    static double maxGradRelativeDifference(Module a, Module b) {
        double worst = 0;
        for (var e : a.namedParameters().entrySet()) {
            worst = Math.max(worst, e.getValue().grad().maxRelativeDifference(b.namedParameters().get(e.getKey()).grad()));
        }
        return worst;
    }
}
