package dev.lockstep.train;

import java.io.Serializable;
import java.util.List;

/** Every epoch's metrics, in order. */
public record TrainingResult(List<EpochMetrics> epochs) implements Serializable {

    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch's test accuracy ({@code NaN} when there were no epochs or no accuracy). */
    public double testAccuracy() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).testAccuracy();
    }
}
