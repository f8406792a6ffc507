package dev.lockstep.examples;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.Normalize;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.F;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.Adam;
import dev.lockstep.tensor.Tensor;

/** Seed 002: a two-layer network on MNIST normalised to [-1, 1]. */
public final class SimpleNnExample {

    static class SimpleNN extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(28 * 28, 128));
        final Linear fc2 = registerModule("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x.view(-1, 28 * 28))));
        }
    }

    static final Transform TRANSFORM = Transform.compose(new ToTensor(), new Normalize(0.5, 0.5));

    static double run(Dataset train, Dataset test, int epochs) {
        var model = new SimpleNN();
        var criterion = new CrossEntropyLoss();
        var optimizer = new Adam(model.parameters(), 1e-3);
        try (var loader = DataLoader.builder(train).batchSize(64).shuffle(true).build()) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                double total = 0;
                for (Batch batch : loader) {
                    optimizer.zeroGrad();
                    Tensor loss = criterion.forward(model.forward(batch.input()), batch.target());
                    loss.backward();
                    optimizer.step();
                    total += loss.item();
                }
                System.out.printf("Epoch %d, average loss %.4f%n", epoch, total / loader.numBatches());
            }
        }
        return Examples.accuracy(model, test);
    }

    public static void main(String[] args) throws Exception {
        var dir = Examples.dataDir(args);
        run(MNIST.train(dir, TRANSFORM), MNIST.test(dir, TRANSFORM), Examples.epochs(args));
    }
}
