package dev.lockstep.examples;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.nn.Module;
import dev.lockstep.tensor.NoGrad;
import java.nio.file.Path;

/** What the seed programs share: where the data is and the test-set accuracy loop. */
final class Examples {
    private Examples() {
    }

    /** args[0] or the MNIST bundled with Lockstep. */
    static Path dataDir(String[] args) {
        return Path.of(args.length > 0 ? args[0] : System.getProperty("lockstep.home", ".") + "/data/mnist");
    }

    /** args[1] or one epoch. */
    static int epochs(String[] args) {
        return args.length > 1 ? Integer.parseInt(args[1]) : 1;
    }

    /** Fraction of {@code test} the model classifies correctly, as the seeds' evaluation loops. */
    static double accuracy(Module model, Dataset test) {
        model.eval();
        long correct = 0;
        try (NoGrad g = NoGrad.open(); DataLoader loader = DataLoader.builder(test).batchSize(1000).build()) {
            for (Batch batch : loader) {
                correct += (long) batch.target().eq(model.forward(batch.input()).argmax(1)).sum().item();
            }
        }
        model.train();
        System.out.printf("Test accuracy: %.2f%%%n", 100.0 * correct / test.size());
        return (double) correct / test.size();
    }
}
