package dev.lockstep.train;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how often the {@link Trainer} checkpoints. A checkpoint is always written at the end
 * of each epoch; {@code everySteps} adds one after every that many optimiser steps.
 *
 * @param dir        one sub-directory per checkpoint ({@code step-000000123/}) goes here
 * @param everySteps steps between checkpoints within an epoch; 0 for epoch ends only
 * @param keep       how many of the newest checkpoints to keep (PyTorch Lightning's save_top_k by age)
 */
public record CheckpointOptions(Path dir, int everySteps, int keep) {
    public static final int DEFAULT_KEEP = 3;

    public CheckpointOptions {
        Objects.requireNonNull(dir, "dir");
        if (everySteps < 0) {
            throw new IllegalArgumentException("steps between checkpoints must be >= 0, got " + everySteps);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoints to keep must be >= 1, got " + keep);
        }
    }
}
