package dev.lockstep.bench;

import dev.lockstep.parallel.dist.ProcessGroup;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.parallel.dist.ReduceOp;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * All-reduce (sum) of float32 tensors through Lockstep's process group, one rank per process
 * (environment as {@code lockstep run} sets it). Rank 0 prints median latency, algbw = bytes /
 * time and busbw = algbw · 2(n−1)/n (the NCCL-tests convention). Usage: AllReduceBench MB...
 */
public final class AllReduceBench {
    private static final int WARMUP = 3;
    private static final int ITERATIONS = 20;

    private AllReduceBench() {
    }

    public static void main(String[] args) {
        try (ProcessGroup group = ProcessGroup.init(ProcessGroupOptions.fromEnvironment())) {
            int n = group.worldSize();
            for (String mb : args) {
                long bytes = Long.parseLong(mb) * 1024 * 1024;
                double[] seconds = new double[ITERATIONS];
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor t = Tensor.ones(bytes / 4);
                    for (int i = 0; i < WARMUP + ITERATIONS; i++) {
                        group.barrier();
                        long start = System.nanoTime();
                        group.allReduce(t, ReduceOp.SUM);
                        if (i >= WARMUP) {
                            seconds[i - WARMUP] = (System.nanoTime() - start) / 1e9;
                        }
                    }
                }
                Arrays.sort(seconds);
                double median = seconds[ITERATIONS / 2];
                double algbw = bytes / median / 1e9;
                if (group.rank() == 0) {
                    System.out.printf(Locale.ROOT, "world %d  %3s MB  median %8.2f ms  algbw %6.2f GB/s  busbw %6.2f GB/s%n",
                            n, mb, median * 1e3, algbw, algbw * 2 * (n - 1) / n);
                }
            }
        }
    }
}
