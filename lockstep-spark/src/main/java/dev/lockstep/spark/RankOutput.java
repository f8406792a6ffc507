package dev.lockstep.spark;

import dev.lockstep.train.EpochMetrics;
import dev.lockstep.train.TrainingResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What rank 0 sends back to the driver: the metrics (summed over ranks already) and the final
 * weights as safetensors bytes. Epochs travel as plain numbers, {@link EpochMetrics} not being
 * serializable.
 */
record RankOutput(double[][] epochs, byte[] weights) implements Serializable {

    static RankOutput of(TrainingResult result, byte[] weights) {
        double[][] epochs = new double[result.epochs().size()][];
        for (int i = 0; i < epochs.length; i++) {
            EpochMetrics m = result.epochs().get(i);
            epochs[i] = new double[] {m.epoch(), m.trainLoss(), m.testLoss(), m.testAccuracy(), m.seconds(),
                m.samplesPerSec(), m.skippedSteps()};
        }
        return new RankOutput(epochs, weights);
    }

    TrainingResult metrics() {
        List<EpochMetrics> list = new ArrayList<>();
        for (double[] e : epochs) {
            list.add(new EpochMetrics((int) e[0], e[1], e[2], e[3], e[4], e[5], (long) e[6]));
        }
        return new TrainingResult(list);
    }
}
