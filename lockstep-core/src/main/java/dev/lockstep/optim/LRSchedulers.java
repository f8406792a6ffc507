package dev.lockstep.optim;

import java.util.List;

/** Learning-rate schedules by the names the command line uses, over a run of known length. */
public final class LRSchedulers {
    public static final List<String> NAMES = List.of("constant", "cosine");

    private LRSchedulers() {
    }

    /**
     * {@code constant}: none (null, which the trainer takes as the optimiser's rate throughout);
     * {@code cosine}: {@link CosineAnnealingLR} from the optimiser's rate down to 0 over
     * {@code steps} scheduler steps.
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static LRScheduler create(String name, Optimizer optimizer, long steps) {
        return switch (name) {
            case "constant" -> null;
            case "cosine" -> new CosineAnnealingLR(optimizer, steps);
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "': expected one of "
                    + NAMES);
        };
    }
}
