package dev.lockstep.cli;

import dev.lockstep.tensor.Torch;

/** {@code lockstep info}: what this machine offers Lockstep. */
final class InfoCommand {
    private InfoCommand() {
    }

    static int run() {
        int cuda = Torch.cudaDeviceCount();
        System.out.println("lockstep " + Version.LOCKSTEP + " on libtorch " + Version.LIBTORCH);
        System.out.println("java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPU cores");
        System.out.println("devices: " + (cuda > 0 ? cuda + " CUDA device(s)" : "cpu only"));
        System.out.println("threads: libtorch " + Torch.numThreads() + ", OMP_WAIT_POLICY="
                + System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)")
                + ", OPENBLAS_NUM_THREADS=" + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"));
        System.out.println("collective backends: gloo" + (cuda > 0 ? ", nccl" : ""));
        return 0;
    }
}
