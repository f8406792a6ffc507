package dev.lockstep.train;

/**
 * What one epoch measured, over all processes.
 *
 * @param testAccuracy fraction in [0, 1], or {@code NaN} for regression tasks
 */
public record EpochMetrics(int epoch, double trainLoss, double testLoss, double testAccuracy,
                           double seconds, double samplesPerSec) {
}
