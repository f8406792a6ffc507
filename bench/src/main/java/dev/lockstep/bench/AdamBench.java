package dev.lockstep.bench;

import dev.lockstep.optim.Adam;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * The optimiser step alone, for the CNN's parameters (conv 32×1×3×3 and 32, linear 10×6272 and
 * 10): Lockstep's {@code Adam} against libtorch's C++ {@code torch::optim::Adam} (what the raw
 * loop uses), one epoch of 938 steps each, alternating, with fresh gradients before every step
 * as in training. Prints the seconds spent in {@code step()} per epoch. Usage: AdamBench THREADS ROUNDS
 */
public final class AdamBench {
    private static final long[][] SHAPES = {{32, 1, 3, 3}, {32}, {10, 6272}, {10}};
    private static final int STEPS = 938;

    private AdamBench() {
    }

    public static void main(String[] args) {
        Torch.setNumThreads(Integer.parseInt(args[0]));
        int rounds = Integer.parseInt(args[1]);
        Torch.manualSeed(1);
        List<Tensor> ours = new ArrayList<>();
        org.bytedeco.pytorch.Tensor[] theirs = new org.bytedeco.pytorch.Tensor[SHAPES.length];
        List<Tensor> grads = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            Tensor p = Tensor.randn(SHAPES[i]);
            ours.add(p.clone().requiresGrad(true));
            theirs[i] = p.unwrap().clone().set_requires_grad(true);
            grads.add(Tensor.randn(SHAPES[i]).mul(1e-2));
        }
        Adam adam = new Adam(ours, 1e-3);
        var libtorchAdam = new org.bytedeco.pytorch.Adam(new TensorVector(theirs), new AdamOptions(1e-3));
        for (int round = 1; round <= rounds; round++) {
            long lockstep = 0;
            long libtorch = 0;
            for (int step = 0; step < STEPS; step++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    for (int i = 0; i < SHAPES.length; i++) {
                        ours.get(i).setGrad(grads.get(i).clone());
                    }
                    long start = System.nanoTime();
                    adam.step();
                    lockstep += System.nanoTime() - start;
                }
                try (PointerScope scope = new PointerScope()) {
                    for (int i = 0; i < SHAPES.length; i++) {
                        theirs[i].mutable_grad().put(grads.get(i).unwrap().clone());
                    }
                    long start = System.nanoTime();
                    libtorchAdam.step();
                    libtorch += System.nanoTime() - start;
                }
            }
            System.out.printf(Locale.ROOT, "round %d, %d threads: lockstep Adam %.3f s, libtorch C++ Adam %.3f s per %d steps%n",
                    round, Torch.numThreads(), lockstep / 1e9, libtorch / 1e9, STEPS);
        }
    }
}
