package dev.lockstep.launcher;

import dev.lockstep.parallel.dist.ProcessGroupOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Starts this node's workers and watches them, as torchelastic's local agent: each worker is a
 * JVM like this one (same java, same class path) with the torchrun environment and its share of
 * the cores; its output lines come out prefixed with {@code [rank R] }. When one worker fails the
 * others are stopped and the result names the failing rank with its last error lines.
 *
 * <p>With {@code maxRestarts} K, as torchelastic: when a worker fails, all are stopped and all are
 * started again, up to K times, after a new rendezvous (a fresh port on a single node, where
 * nobody else needs to know it; the same port, free once the old store is gone, across nodes).
 * Workers get {@code LOCKSTEP_RESTART_COUNT}; the trainer then resumes from its latest checkpoint.
 */
public final class LocalAgent {
    private static final int TAIL_LINES = 20;

    private final LaunchConfig config;
    private final PrintStream out;
    private final PrintStream err;

    public LocalAgent(LaunchConfig config, PrintStream out, PrintStream err) {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the workers to the end, restarting all of them after a failure while restarts are
     * left; blocks until all succeed or the last attempt fails.
     */
    public RunResult run() throws InterruptedException {
        int port = config.masterPort();
        for (int restart = 0; ; restart++) {
            RunResult result = runOnce(restart, port);
            if (result.isSuccess() || restart == config.maxRestarts()) {
                return result;
            }
            err.println("lockstep run: " + result.summary());
            err.println("lockstep run: restarting all workers (restart " + (restart + 1) + " of "
                    + config.maxRestarts() + ")");
            port = config.nnodes() == 1 ? ProcessGroupOptions.freePort() : port;
        }
    }

    private RunResult runOnce(int restart, int port) throws InterruptedException {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        // A SIGTERM or Ctrl-C to the agent stops its workers too, as torchrun forwards it: the JVM
        // runs shutdown hooks, not this method's finally.
        Thread stopWorkers = new Thread(() -> workers.forEach(Worker::stop), "lockstep-run-shutdown");
        Runtime.getRuntime().addShutdownHook(stopWorkers);
        try {
            for (int local = 0; local < config.nprocPerNode(); local++) {
                workers.add(start(local, restart, port));
            }
            return monitor(workers);
        } finally {
            workers.forEach(Worker::stop);
            for (Worker w : workers) {
                w.drain();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopWorkers);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: the workers are stopped either way
            }
        }
    }

    private RunResult monitor(List<Worker> workers) throws InterruptedException {
        List<Worker> running = new ArrayList<>(workers);
        while (!running.isEmpty()) {
            CompletableFuture<?>[] exits = running.stream().map(w -> w.process.onExit()).toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.anyOf(exits).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("watching workers failed", e.getCause());
            }
            for (Worker w : List.copyOf(running)) {
                if (!w.process.isAlive()) {
                    running.remove(w);
                    int code = w.process.exitValue();
                    if (code != 0) {
                        w.drain();
                        return new RunResult(WorkerState.FAILED, w.rank, code, w.lastErrors());
                    }
                }
            }
        }
        return RunResult.succeeded();
    }

    private Worker start(int localRank, int restart, int port) {
        int rank = config.nodeRank() * config.nprocPerNode() + localRank;
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // The agent's own JVM options (heap, lockstep.home, native access), as torchrun reuses its
        // interpreter's; not a debugger's, whose port only one process can hold.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> !arg.startsWith("-agentlib:jdwp"))
                .forEach(command::add);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(config.mainClass());
        command.addAll(config.workerArgs());
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("RANK", Integer.toString(rank));
        env.put("LOCAL_RANK", Integer.toString(localRank));
        env.put("WORLD_SIZE", Integer.toString(config.worldSize()));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(config.nprocPerNode()));
        env.put("MASTER_ADDR", config.masterAddr());
        env.put("MASTER_PORT", Integer.toString(port));
        env.put("LOCKSTEP_RESTART_COUNT", Integer.toString(restart));
        env.put("LOCKSTEP_MAX_RESTARTS", Integer.toString(config.maxRestarts()));
        env.put("LOCKSTEP_TIMEOUT", Integer.toString(config.timeoutSeconds()));
        // In the environment, not on the command line, where any user could read it with ps.
        env.put("LOCKSTEP_RDZV_TOKEN", config.rdzvToken());
        // Ranks share the cores: spinning OpenMP threads or a second BLAS pool would oversubscribe them.
        env.put("OMP_WAIT_POLICY", "passive");
        env.put("OPENBLAS_NUM_THREADS", "1");
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / config.nprocPerNode());
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        try {
            return new Worker(rank, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the worker of rank " + rank, e);
        }
    }

    /** One worker process and the threads copying its output. */
    private final class Worker {
        final int rank;
        final Process process;
        private final Deque<String> errorTail = new ArrayDeque<>();
        private final Thread stdout;
        private final Thread stderr;

        Worker(int rank, Process process) {
            this.rank = rank;
            this.process = process;
            this.stdout = pump(process.getInputStream(), out, false);
            this.stderr = pump(process.getErrorStream(), err, true);
        }

        private Thread pump(InputStream in, PrintStream to, boolean keepTail) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        to.println("[rank " + rank + "] " + line);
                        if (keepTail) {
                            synchronized (errorTail) {
                                errorTail.addLast(line);
                                if (errorTail.size() > TAIL_LINES) {
                                    errorTail.removeFirst();
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    // the worker was killed: its pipe is gone, nothing more to copy
                }
            }, "lockstep-rank-" + rank + (keepTail ? "-err" : "-out"));
            t.setDaemon(true);
            t.start();
            return t;
        }

        List<String> lastErrors() {
            synchronized (errorTail) {
                return List.copyOf(errorTail);
            }
        }

        /** SIGTERM, then SIGKILL after a grace period. */
        void stop() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Waits for the output threads so every line is printed before the summary. */
        void drain() throws InterruptedException {
            stdout.join(TimeUnit.SECONDS.toMillis(10));
            stderr.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
