package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.launcher.LaunchConfig;
import dev.lockstep.launcher.LocalAgent;
import dev.lockstep.launcher.RunResult;
import dev.lockstep.io.Safetensors;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: {@code kill -9} of a worker of a 2-rank DDP run with {@code --max-restarts 3};
 * the job completes and its final parameters equal an uninterrupted run's. 512 examples, global
 * batch 32: 16 steps per epoch, 2 epochs, a checkpoint every 3 steps and at each epoch end.
 */
class ElasticRestartTest {
    @TempDir
    static Path tmp;
    private static Path data;
    private static Map<String, Tensor> uninterrupted;

    /** What the agent printed, and the kill it made when rank 0 reported its n-th checkpoint. */
    private record Run(RunResult result, String out, String err, Path outDir) {
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        data = MnistSubset.write(Files.createDirectories(tmp.resolve("mnist")), 512, 128);
        Run run = launch("reference", 0, -1, -1);
        assertTrue(run.result().isSuccess(), run.result().summary() + "\n" + run.out() + run.err());
        uninterrupted = Safetensors.load(run.outDir().resolve("model.safetensors"));
    }

    /**
     * Runs the job with {@code maxRestarts}; when rank 0 has saved {@code killAfter} checkpoints,
     * SIGKILLs the worker {@code victim} (0 or 1 in pid order) once.
     */
    private static Run launch(String name, int maxRestarts, int killAfter, int victim) throws Exception {
        Path out = tmp.resolve(name);
        String[] args = {"--nproc-per-node", "2", "--master-port", Integer.toString(ProcessGroupOptions.freePort()),
                "--max-restarts", Integer.toString(maxRestarts), "--", "--model", "mlp", "--data-dir", data.toString(),
                "--epochs", "2", "--batch-size", "32", "--threads", "1", "--num-workers", "0", "--log-interval", "0",
                "--out", out.toString(), "--checkpoint-every", "3", "--timeout", "60"};
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        AtomicInteger saved = new AtomicInteger();
        PrintStream outStream = new PrintStream(new LineWatcher(captured, line -> {
            if (line.startsWith("[rank 0] Checkpoint saved") && saved.incrementAndGet() == killAfter) {
                List<ProcessHandle> workers = ProcessHandle.current().children()
                        .sorted(Comparator.comparingLong(ProcessHandle::pid)).toList();
                workers.get(victim).destroyForcibly(); // SIGKILL
            }
        }), true, StandardCharsets.UTF_8);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunResult r = new LocalAgent(LaunchConfig.parse(args, Map.of()), outStream,
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
        return new Run(r, captured.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out);
    }

    private static void assertSameParameters(Path outDir) throws IOException {
        Map<String, Tensor> got = Safetensors.load(outDir.resolve("model.safetensors"));
        assertEquals(uninterrupted.keySet(), got.keySet());
        uninterrupted.forEach((k, v) -> assertArrayEquals(v.toBytes(), got.get(k).toBytes(), k + " differs"));
    }

    private static void assertRecovered(Run run) throws IOException {
        String all = run.out() + run.err();
        assertTrue(run.result().isSuccess(), run.result().summary() + "\n" + all);
        assertTrue(run.err().contains("lockstep run: restarting all workers (restart 1 of 3)"), all);
        assertTrue(run.out().contains("[rank 0] Resumed from "), all);
        assertSameParameters(run.outDir());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void killingAWorkerMidEpochOneResumesToTheSameParameters() throws Exception {
        assertRecovered(launch("kill-first-at-6", 3, 2, 0)); // after step 6 of 16
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void killingTheOtherWorkerInEpochTwoResumesToTheSameParameters() throws Exception {
        assertRecovered(launch("kill-second-at-19", 3, 7, 1)); // steps 3 6 9 12 15 16 19: epoch 2, step 3
    }

    @Test
    void checkpointFlagsAreChecked() {
        assertEquals(2, Main.run(new String[] {"train", "--checkpoint-every", "3"}));
        assertEquals(2, Main.run(new String[] {"train", "--resume"}));
        assertEquals(2, Main.run(new String[] {"train", "--keep-checkpoints", "0", "--out", tmp.toString(),
                "--checkpoint-every", "epoch"}));
        assertEquals(2, Main.run(new String[] {"train", "--max-restarts", "1"}));
        assertEquals(2, Main.run(new String[] {"run", "--nproc-per-node", "2", "--max-restarts", "-1"}));
    }

    /** Copies bytes through, handing each complete line to a callback. */
    private static final class LineWatcher extends OutputStream {
        private final OutputStream copy;
        private final java.util.function.Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineWatcher(OutputStream copy, java.util.function.Consumer<String> onLine) {
            this.copy = copy;
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            copy.write(b);
            if (b == '\n') {
                onLine.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
