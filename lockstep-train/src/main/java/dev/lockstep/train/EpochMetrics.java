package dev.lockstep.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch measured, over all processes.
 *
 * @param testAccuracy fraction in [0, 1], or {@code NaN} for regression tasks
 * @param skippedSteps steps skipped because their loss was not finite
 */
public record EpochMetrics(int epoch, double trainLoss, double testLoss, double testAccuracy,
                           double seconds, double samplesPerSec, long skippedSteps) implements Serializable {

    /**
     * The fields under the names {@code metrics.json} and checkpoints give them, in their order:
     * integers as {@code Long}, metrics as {@code Double} ({@code NaN} where one does not apply).
     */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("epoch", (long) epoch);
        json.put("train_loss", trainLoss);
        json.put("test_loss", testLoss);
        json.put("test_accuracy", testAccuracy);
        json.put("seconds", seconds);
        json.put("samples_per_sec", samplesPerSec);
        json.put("skipped_steps", skippedSteps);
        return json;
    }
}
