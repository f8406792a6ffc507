package dev.lockstep.examples;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MSELoss;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;

/** Seed 003: regression of y = x·w + noise with a 10-100-1 network and MSE. */
public final class RegressionExample {

    static double run(int epochs) {
        Torch.manualSeed(0);
        Tensor w = Tensor.randn(10, 1);
        Tensor x = Tensor.randn(1000, 10);
        Tensor y = x.matmul(w).add(Tensor.randn(1000, 1).mul(0.1));
        Module model = new Sequential(new Linear(10, 100), new ReLU(), new Linear(100, 1));
        var criterion = new MSELoss();
        var optimizer = new SGD(model.parameters(), 0.01);
        try (var loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).build()) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (Batch batch : loader) {
                    optimizer.zeroGrad();
                    Tensor loss = criterion.forward(model.forward(batch.input()), batch.target());
                    loss.backward();
                    optimizer.step();
                }
            }
        }
        try (var g = NoGrad.open()) {
            double mse = criterion.forward(model.forward(x), y).item();
            System.out.printf("Epochs %d, training MSE %.4f%n", epochs, mse);
            return mse;
        }
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 20);
    }
}
