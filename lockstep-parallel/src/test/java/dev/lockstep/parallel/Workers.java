package dev.lockstep.parallel;

import dev.lockstep.parallel.dist.ProcessGroupOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Worker JVMs for multi-process tests, as PyTorch's MultiProcessTestCase: the same java binary and
 * class path, the torchrun environment, one libtorch thread each, output captured per rank.
 * Always used in try-with-resources so that no worker outlives its test.
 */
public final class Workers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();

    private Workers() {
    }

    /** The environment of rank r in a job of {@code worldSize} on 127.0.0.1. */
    public static Map<String, String> env(int port, int rank, int worldSize) {
        Map<String, String> env = new HashMap<>();
        env.put("MASTER_ADDR", "127.0.0.1");
        env.put("MASTER_PORT", Integer.toString(port));
        env.put("RANK", Integer.toString(rank));
        env.put("WORLD_SIZE", Integer.toString(worldSize));
        env.put("LOCAL_RANK", Integer.toString(rank));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(worldSize));
        return env;
    }

    /** Starts {@code worldSize} workers of {@code mainClass}; rank r gets {@code envOf.apply(r)}. */
    public static Workers start(Class<?> mainClass, int worldSize, IntFunction<Map<String, String>> envOf,
                                String... args) {
        Workers w = new Workers();
        try {
            for (int r = 0; r < worldSize; r++) {
                w.add(mainClass, envOf.apply(r), args);
            }
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Starts a torchrun-style job of {@code worldSize} ranks on a fresh port. */
    public static Workers job(Class<?> mainClass, int worldSize, String... args) {
        int port = ProcessGroupOptions.freePort();
        return start(mainClass, worldSize, r -> env(port, r, worldSize), args);
    }

    private void add(Class<?> mainClass, Map<String, String> env, String[] args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Xss4m");
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("lockstep-worker-", ".log");
            out.toFile().deleteOnExit();
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("OMP_WAIT_POLICY", "passive");
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            pb.environment().putAll(env);
            outputs.add(out);
            processes.add(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for every worker; returns their exit codes, failing if one does not end in time. */
    public int[] await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] codes = new int[processes.size()];
        for (int r = 0; r < codes.length; r++) {
            Process p = processes.get(r);
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("worker " + r + " did not finish within " + timeout + "\n" + outputs());
            }
            codes[r] = p.exitValue();
        }
        return codes;
    }

    /** Waits for one worker. */
    public int await(int r, Duration timeout) throws InterruptedException {
        Process p = processes.get(r);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("worker " + r + " did not finish within " + timeout + "\n" + outputs());
        }
        return p.exitValue();
    }

    /** Waits for all and fails with every worker's output unless all exited 0. */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        int[] codes = await(timeout);
        for (int c : codes) {
            if (c != 0) {
                throw new AssertionError("exit codes " + java.util.Arrays.toString(codes) + "\n" + outputs());
            }
        }
    }

    public String output(int r) {
        try {
            return Files.readString(outputs.get(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines {@code RESULT key value} that rank r printed, by key. */
    public Map<String, String> results(int r) {
        Map<String, String> out = new HashMap<>();
        for (String line : output(r).split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] f = line.split(" ", 3);
                out.put(f[1], f.length > 2 ? f[2] : "");
            }
        }
        return out;
    }

    public String outputs() {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < outputs.size(); r++) {
            sb.append("---- worker ").append(r).append(" ----\n").append(output(r)).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        processes.forEach(Process::destroyForcibly);
    }
}
