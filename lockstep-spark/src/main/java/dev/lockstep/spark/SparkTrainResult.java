package dev.lockstep.spark;

import dev.lockstep.io.AtomicFiles;
import dev.lockstep.io.Safetensors;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a distributed run gave the driver.
 *
 * @param metrics  the metrics over all ranks of each epoch of the run (an attempt that resumed
 *                 from a checkpoint has the earlier epochs' from it)
 * @param weights  rank 0's final state dict as safetensors bytes, under PyTorch's names
 * @param attempts how many submissions it took (more than 1 after a failed attempt)
 */
public record SparkTrainResult(TrainingResult metrics, byte[] weights, int attempts) {

    /** Writes the weights as {@code file} (atomically), as {@code lockstep train --out} does. */
    public void saveWeights(Path file) throws IOException {
        AtomicFiles.write(file, weights);
    }

    /** The weights as tensors on the driver. */
    public Map<String, Tensor> stateDict() throws IOException {
        Path file = Files.createTempFile("lockstep-weights-", ".safetensors");
        try {
            Files.write(file, weights);
            return Safetensors.load(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
