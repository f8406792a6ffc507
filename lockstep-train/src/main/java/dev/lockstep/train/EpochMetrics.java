package dev.lockstep.train;

import java.io.Serializable;

/**
 * What one epoch measured, over all processes.
 *
 * @param testAccuracy fraction in [0, 1], or {@code NaN} for regression tasks
 * @param skippedSteps steps skipped because their loss was not finite
 */
public record EpochMetrics(int epoch, double trainLoss, double testLoss, double testAccuracy,
                           double seconds, double samplesPerSec, long skippedSteps) implements Serializable {
}
