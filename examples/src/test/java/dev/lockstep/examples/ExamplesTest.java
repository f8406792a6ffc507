package dev.lockstep.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.Dataset;
import dev.lockstep.data.Subset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each seed program, run as a user would, on a small slice of the bundled MNIST. */
class ExamplesTest {
    private static final Path MNIST_DIR = Path.of(System.getProperty("lockstep.home", ".."), "data", "mnist");

    /** Fixed initial weights, so the thresholds below are not left to chance. */
    @BeforeEach
    void seed() {
        Torch.manualSeed(1);
    }

    private static Dataset[] slice(Transform transform, int train, int test) throws IOException {
        return new Dataset[] {Subset.first(MNIST.train(MNIST_DIR, transform), train),
                Subset.first(MNIST.test(MNIST_DIR, transform), test)};
    }

    @Test
    void simpleCnnLearns() throws IOException {
        Dataset[] d = slice(new ToTensor(), 2000, 500);
        double accuracy = SimpleCnnExample.run(d[0], d[1], 1);
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);
    }

    @Test
    void mlpLearns() throws IOException {
        Dataset[] d = slice(new ToTensor(), 10000, 500);
        double accuracy = MlpExample.run(d[0], d[1], 4);
        assertTrue(accuracy > 0.5, "plain SGD at lr 0.01 learns slowly, but well above chance (0.1): " + accuracy);
    }

    @Test
    void simpleNnLearns() throws IOException {
        Dataset[] d = slice(SimpleNnExample.TRANSFORM, 2000, 500);
        double accuracy = SimpleNnExample.run(d[0], d[1], 1);
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);
    }

    @Test
    void regressionFitsTheLinearMap() {
        double first = RegressionExample.run(1);
        double later = RegressionExample.run(10);
        assertTrue(later < first && later < 0.1, "MSE after 1 epoch " + first + ", after 10 " + later);
    }
}
