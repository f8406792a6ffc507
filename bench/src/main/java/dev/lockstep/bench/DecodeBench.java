package dev.lockstep.bench;

import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Seconds to decode MNIST (both splits, gzipped IDX to float tensors) in one JVM, REPS times: the
 * first repetition is what a training run pays. Usage: DecodeBench DATA_DIR [REPS=5]
 */
public final class DecodeBench {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Tensor.ones(1); // loading the natives is not decoding
        for (int r = 1; r <= reps; r++) {
            long t0 = System.nanoTime();
            MNIST train = MNIST.train(dir, new ToTensor());
            MNIST test = MNIST.test(dir, new ToTensor());
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("java decode %d: %.3f s (%d + %d images)%n", r, s, train.size(), test.size());
        }
    }
}
