package dev.lockstep.train;

import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.Module;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.Torch;

/**
 * How many threads OpenBLAS's pool gets for a fit, chosen from the model and the strategy, never
 * by timing (the count changes a result's last bits, so a choice by the clock would make results
 * depend on the machine's load). Measured on 2 cores (BENCHMARKS.md, "OpenBLAS's threads"):
 * <ul>
 *   <li>a model of matrix products alone (the seeds' MLP) gets libtorch's threads: its products run
 *       outside libtorch's OpenMP regions, on one core unless OpenBLAS splits them, and it trained
 *       1.5-1.9x faster on two;</li>
 *   <li>a model with convolutions gets one: its time is in oneDNN's convolutions on libtorch's
 *       OpenMP threads, and OpenBLAS's helper, spinning after each small product, took a core from
 *       them (the seeds' CNN 1.3-1.8x slower);</li>
 *   <li>so does a process running several replicas at once (DataParallel), whose concurrent products
 *       would share one pool.</li>
 * </ul>
 */
final class BlasThreads {
    private BlasThreads() {
    }

    static int choose(Module model, Strategy strategy) {
        boolean convolutions = model.modules().stream().anyMatch(m -> m instanceof Conv2d);
        return convolutions || strategy.replicasPerProcess() > 1 ? 1 : Torch.numThreads();
    }
}
