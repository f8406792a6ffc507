package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;

/** Optimisers by the names the command line uses, with PyTorch's defaults for all but the learning rate. */
public final class Optimizers {
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw");

    private Optimizers() {
    }

    /** @throws IllegalArgumentException for a name not in {@link #NAMES} */
    public static Optimizer create(String name, List<Tensor> params, double lr) {
        return switch (name) {
            case "sgd" -> new SGD(params, lr);
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': expected one of " + NAMES);
        };
    }
}
