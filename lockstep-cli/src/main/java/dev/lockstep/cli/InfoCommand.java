package dev.lockstep.cli;

import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code lockstep info}: what this machine offers Lockstep. */
final class InfoCommand {
    private InfoCommand() {
    }

    static int run() {
        int cuda = Torch.cudaDeviceCount();
        Runtime rt = Runtime.getRuntime();
        System.out.println("lockstep " + Version.LOCKSTEP + " on libtorch " + Version.LIBTORCH);
        System.out.println("java " + Runtime.version() + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        System.out.println("devices:");
        System.out.printf(Locale.ROOT, "  cpu: %d cores%s, JVM heap up to %.1f GiB%n", rt.availableProcessors(),
                cpuModel().map(m -> " (" + m + ")").orElse(""), rt.maxMemory() / (double) (1L << 30));
        if (cuda == 0) {
            System.out.println("  cuda: none (the default build has CPU natives; GPUs need mvn -Pcuda)");
        } else {
            List<String> gpus = nvidiaSmi();
            for (int i = 0; i < cuda; i++) {
                System.out.println("  cuda:" + i + (i < gpus.size() ? " " + gpus.get(i) : ""));
            }
        }
        System.out.println("threads: libtorch intra-op " + Torch.numThreads() + ", inter-op " + Torch.numInteropThreads()
                + ", OMP_NUM_THREADS=" + env("OMP_NUM_THREADS") + ", OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY")
                + ", OPENBLAS_NUM_THREADS=" + env("OPENBLAS_NUM_THREADS"));
        Torch.parallelInfo().lines().filter(l -> l.startsWith("ATen parallel backend") || l.contains("MKL-DNN"))
                .forEach(l -> System.out.println("  " + l.strip()));
        System.out.println("memory: MALLOC_ARENA_MAX=" + env("MALLOC_ARENA_MAX") + ", MALLOC_MMAP_MAX_="
                + env("MALLOC_MMAP_MAX_") + ", MALLOC_TRIM_THRESHOLD_=" + env("MALLOC_TRIM_THRESHOLD_")
                + ", GLIBC_TUNABLES=" + env("GLIBC_TUNABLES")
                + ", THP_MEM_ALLOC_ENABLE=" + env("THP_MEM_ALLOC_ENABLE")
                + ", transparent huge pages " + transparentHugePages());
        System.out.println("collective backends: gloo (cpu)" + (cuda > 0 ? ", nccl (cuda)" : ""));
        return 0;
    }

    private static String env(String name) {
        return System.getenv().getOrDefault(name, "(unset)");
    }

    /** The kernel's THP mode, the bracketed word of {@code always [madvise] never}: huge pages need madvise or always. */
    private static String transparentHugePages() {
        try {
            String modes = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            int open = modes.indexOf('[');
            int close = modes.indexOf(']', open + 1);
            return open < 0 || close < 0 ? "(unknown)" : modes.substring(open + 1, close);
        } catch (IOException | RuntimeException e) {
            return "(unavailable)"; // not Linux, or a kernel without THP
        }
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not Linux: the core count is enough
        }
    }

    /** Names and memory of the GPUs: the CPU-side presets do not bind cudaGetDeviceProperties, nvidia-smi knows. */
    private static List<String> nvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return List.of();
            }
            return out.lines().map(l -> l.replace(", ", ", memory ")).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
