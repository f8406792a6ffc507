package dev.lockstep.train;

import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.Module;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.Torch;

/**
 * The CPU threads a fit runs with besides libtorch's: OpenBLAS's pool and the loaders' workers.
 * Chosen from the model and the strategy, never by timing (OpenBLAS's count changes a result's
 * last bits, so a choice by the clock would make results depend on the machine's load). Measured
 * on 2 cores (BENCHMARKS.md, "OpenBLAS's threads"):
 * <ul>
 *   <li>a model of matrix products alone (the seeds' MLP) gives OpenBLAS libtorch's threads: its
 *       products run outside libtorch's OpenMP regions, on one core unless OpenBLAS splits them;</li>
 *   <li>a model with convolutions gives it one: its time is in oneDNN's convolutions on libtorch's
 *       OpenMP threads, which trained slower with a second OpenBLAS thread (most likely OpenBLAS's
 *       helper, spinning after each small product, taking a core from them);</li>
 *   <li>so does a process running several replicas at once (DataParallel), whose concurrent
 *       products would share one pool, and a model on a GPU, whose products OpenBLAS does not run;</li>
 *   <li>the loaders prefetch on one worker, except while OpenBLAS splits each product over several
 *       threads: a worker then delays one part of every product, and so the whole product, by
 *       more than loading in the training thread costs.</li>
 * </ul>
 *
 * @param blas OpenBLAS's threads
 * @param loaderWorkers each loader's background threads (0: batches are made in the training thread)
 */
record CpuThreads(int blas, int loaderWorkers) {
    /** {@code blas} and {@code loaderWorkers} as set, or chosen where negative. */
    static CpuThreads choose(Module model, Strategy strategy, int blas, int loaderWorkers) {
        if (blas < 0) {
            boolean convolutions = model.modules().stream().anyMatch(m -> m instanceof Conv2d);
            boolean onCpuAlone = !strategy.inputDevice().isCuda() && strategy.replicasPerProcess() == 1;
            blas = onCpuAlone && !convolutions ? Torch.numThreads() : 1;
        }
        return new CpuThreads(blas, loaderWorkers >= 0 ? loaderWorkers : blas > 1 ? 0 : 1);
    }
}
