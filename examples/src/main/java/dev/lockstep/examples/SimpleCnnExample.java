package dev.lockstep.examples;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.F;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MaxPool2d;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.Adam;
import dev.lockstep.parallel.DataParallel;
import dev.lockstep.parallel.Devices;
import dev.lockstep.tensor.Tensor;

/** Seed 000: a small CNN on MNIST, on every device of the machine through DataParallel. */
public final class SimpleCnnExample {

    static class SimpleCNN extends Module {
        final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 32, 3, 1, 1));
        final MaxPool2d pool = registerModule("pool", new MaxPool2d(2));
        final Linear fc1 = registerModule("fc1", new Linear(32 * 14 * 14, 10));

        @Override
        public Tensor forward(Tensor x) {
            x = pool.forward(F.relu(conv1.forward(x)));
            return fc1.forward(x.flatten(1, -1));
        }
    }

    static double run(Dataset train, Dataset test, int epochs) {
        var model = new SimpleCNN();
        try (var parallel = DataParallel.of(model, Devices.all());
             var loader = DataLoader.builder(train).batchSize(64).shuffle(true).build()) {
            var criterion = new CrossEntropyLoss();
            var optimizer = new Adam(model.parameters(), 1e-3);
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (Batch batch : loader) {
                    Tensor data = batch.input().to(parallel.outputDevice());
                    Tensor target = batch.target().to(parallel.outputDevice());
                    optimizer.zeroGrad();
                    Tensor loss = criterion.forward(parallel.forward(data), target);
                    loss.backward();
                    optimizer.step();
                }
            }
            return Examples.accuracy(parallel, test);
        }
    }

    public static void main(String[] args) throws Exception {
        var dir = Examples.dataDir(args);
        run(MNIST.train(dir, new ToTensor()), MNIST.test(dir, new ToTensor()), Examples.epochs(args));
    }
}
