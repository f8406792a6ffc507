package dev.lockstep.examples;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.Tensor;
import java.util.Locale;

/** Seed 001: an MLP on MNIST with plain SGD, printing the loss curve as the seed does. */
public final class MlpExample {

    static class MLP extends Module {
        final Sequential layers = registerModule("layers",
                new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10)));

        @Override
        public Tensor forward(Tensor x) {
            return layers.forward(x.flatten(1, -1));
        }
    }

    static double run(Dataset train, Dataset test, int epochs) {
        var model = new MLP();
        var criterion = new CrossEntropyLoss();
        var optimizer = new SGD(model.parameters(), 0.01);
        try (var loader = DataLoader.builder(train).batchSize(256).shuffle(true).build()) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                int i = 0;
                for (Batch batch : loader) {
                    optimizer.zeroGrad();
                    Tensor loss = criterion.forward(model.forward(batch.input()), batch.target());
                    loss.backward();
                    optimizer.step();
                    if (i++ % 50 == 0) {
                        System.out.printf(Locale.ROOT, "Epoch %d batch %d loss %.4f%n", epoch, i - 1, loss.item());
                    }
                }
            }
        }
        return Examples.accuracy(model, test);
    }

    public static void main(String[] args) throws Exception {
        var dir = Examples.dataDir(args);
        run(MNIST.train(dir, new ToTensor()), MNIST.test(dir, new ToTensor()), Examples.epochs(args));
    }
}
