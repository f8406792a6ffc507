package dev.lockstep.spark;

import dev.lockstep.train.TrainingResult;
import java.io.Serializable;

/**
 * What rank 0 sends back to the driver: the metrics (summed over ranks already) and the final
 * weights as safetensors bytes.
 */
record RankOutput(TrainingResult metrics, byte[] weights) implements Serializable {
}
