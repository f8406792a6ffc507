package dev.lockstep.bench;

import dev.lockstep.optim.Adam;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * The optimiser step alone, as each seed trains: Adam (lr 1e-3) on the CNN's parameters (conv
 * 32×1×3×3 and 32, linear 10×6272 and 10; 938 steps an epoch) or plain SGD (lr 0.01) on the MLP's
 * (linear 256×784, 256, 10×256, 10; 235 steps). Lockstep's optimiser against libtorch's C++ one
 * (what the raw loop uses), alternating step by step, with fresh gradients before every step as in
 * training. Prints the seconds spent in {@code step()} per epoch. Usage: OptimizerBench MODEL THREADS ROUNDS
 */
public final class OptimizerBench {
    private static final long[][] CNN = {{32, 1, 3, 3}, {32}, {10, 6272}, {10}};
    private static final long[][] MLP = {{256, 784}, {256}, {10, 256}, {10}};

    private OptimizerBench() {
    }

    public static void main(String[] args) {
        boolean cnn = switch (args[0]) {
            case "cnn" -> true;
            case "mlp" -> false;
            default -> throw new IllegalArgumentException("MODEL must be cnn or mlp, got " + args[0]);
        };
        Torch.setNumThreads(Integer.parseInt(args[1]));
        int rounds = Integer.parseInt(args[2]);
        long[][] shapes = cnn ? CNN : MLP;
        int steps = cnn ? 938 : 235;
        Torch.manualSeed(1);
        List<Tensor> ours = new ArrayList<>();
        org.bytedeco.pytorch.Tensor[] theirs = new org.bytedeco.pytorch.Tensor[shapes.length];
        List<Tensor> grads = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            Tensor p = Tensor.randn(shapes[i]);
            ours.add(p.clone().requiresGrad(true));
            theirs[i] = p.unwrap().clone().set_requires_grad(true);
            grads.add(Tensor.randn(shapes[i]).mul(1e-2));
        }
        Optimizer lockstep = cnn ? new Adam(ours, 1e-3) : new SGD(ours, 0.01);
        TensorVector params = new TensorVector(theirs);
        org.bytedeco.pytorch.Optimizer libtorch = cnn
                ? new org.bytedeco.pytorch.Adam(params, new AdamOptions(1e-3))
                : new org.bytedeco.pytorch.SGD(params, new SGDOptions(0.01));
        String name = cnn ? "Adam" : "SGD";
        for (int round = 1; round <= rounds; round++) {
            long oursNanos = 0;
            long theirsNanos = 0;
            for (int step = 0; step < steps; step++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    for (int i = 0; i < shapes.length; i++) {
                        ours.get(i).setGrad(grads.get(i).clone());
                    }
                    long start = System.nanoTime();
                    lockstep.step();
                    oursNanos += System.nanoTime() - start;
                }
                try (PointerScope scope = new PointerScope()) {
                    for (int i = 0; i < shapes.length; i++) {
                        theirs[i].mutable_grad().put(grads.get(i).unwrap().clone());
                    }
                    long start = System.nanoTime();
                    libtorch.step();
                    theirsNanos += System.nanoTime() - start;
                }
            }
            System.out.printf(Locale.ROOT, "round %d, %d threads: lockstep %s %.4f s, libtorch C++ %s %.4f s per %d steps%n",
                    round, Torch.numThreads(), name, oursNanos / 1e9, name, theirsNanos / 1e9, steps);
        }
    }
}
