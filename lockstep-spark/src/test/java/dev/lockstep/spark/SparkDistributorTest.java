package dev.lockstep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.io.CheckpointStore;
import dev.lockstep.io.Safetensors;
import dev.lockstep.launcher.LaunchConfig;
import dev.lockstep.launcher.LocalAgent;
import dev.lockstep.launcher.RunResult;
import dev.lockstep.models.ModelKind;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.train.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDP ranks as barrier tasks on {@code local-cluster[2,1,1024]}: a Spark master and two workers,
 * each with one executor JVM of one core, all on this machine, against the same job run by {@code lockstep run}.
 */
class SparkDistributorTest {
    /** Seed 003's regression on synthetic data: a real model and loop, seconds to train. */
    private static final TrainJob JOB = new TrainJob(ModelKind.REGRESSION, 2, 64, 1e-3, "adam", 7, null, 1,
            Duration.ofSeconds(60), 0);

    /** Small batches, many steps (250 an epoch): long enough to kill a rank in its second epoch. */
    private static final TrainJob LONG_JOB = new TrainJob(ModelKind.REGRESSION, 6, 4, 1e-3, "adam", 7, null, 1,
            Duration.ofSeconds(60), 50);

    private static JavaSparkContext sc;

    @BeforeAll
    static void startCluster() throws Exception {
        // Spark 4.1 supports Java 17 and 21; on newer JVMs its executors die at start-up in Hadoop's
        // UserGroupInformation (Subject.getSubject is unsupported since the Security Manager went).
        assumeTrue(Runtime.version().feature() <= 21,
                "Spark 4.1 executors need Java 17 or 21, this is Java " + Runtime.version().feature());
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        SparkConf conf = new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("lockstep-spark-test")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", "-Xss4m")
                .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .set("spark.executorEnv.OMP_WAIT_POLICY", "passive")
                .set("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
                .set("spark.ui.enabled", "false")
                // Barrier jobs wait for free slots; check every second, not every 15.
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        sc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stopCluster() {
        if (sc != null) {
            sc.stop();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoRanksOnTwoExecutorsMatchLockstepRun(@TempDir Path dir) throws Exception {
        long start = System.nanoTime();
        SparkTrainResult spark = SparkDistributor.builder().numProcesses(2).maxAttempts(1).build().run(sc, JOB);
        System.out.printf("Spark local-cluster run: %.1f s%n", (System.nanoTime() - start) / 1e9);
        assertEquals(1, spark.attempts());
        assertEquals(2, spark.metrics().epochs().size());
        assertTrue(spark.metrics().epochs().get(1).trainLoss() < spark.metrics().epochs().get(0).trainLoss(),
                "training must lower the loss: " + spark.metrics());

        Map<String, Tensor> reference = lockstepRun(dir);
        Map<String, Tensor> weights = spark.stateDict();
        assertEquals(reference.keySet(), weights.keySet());
        double d = maxRelativeDifference(weights, reference);
        System.out.println("Spark vs lockstep run, 2-rank DDP: max relative difference " + d);
        assertTrue(d <= 1e-6, "max relative difference " + d);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killingOneRankMidTrainingResubmitsAndResumesToTheUninterruptedWeights(@TempDir Path checkpoints)
            throws Exception {
        SparkDistributor distributor = SparkDistributor.builder().numProcesses(2).maxAttempts(2).build();
        long start = System.nanoTime();
        SparkTrainResult uninterrupted = distributor.run(sc, LONG_JOB);
        System.out.printf("uninterrupted run: %.1f s%n", (System.nanoTime() - start) / 1e9);

        // Checkpoints at global steps 100, 200, 250 (epoch 1's end), 300 (step 50 of epoch 2), ...; rank
        // 0's executor dies just after it writes step 300, a line no other run logs. Rank 1's JVM
        // lives on, its rank failed in a collective, and may host the next attempt's rank 0.
        TrainJob job = LONG_JOB.withCheckpoints(checkpoints.toString(), 100, 2);
        start = System.nanoTime();
        CompletableFuture<SparkTrainResult> run = CompletableFuture.supplyAsync(() -> distributor.run(sc, job));
        killExecutorOnceItLogs("Checkpoint saved: " + checkpoints.resolve(CheckpointStore.name(300)), run);
        SparkTrainResult resumed = run.get(2, TimeUnit.MINUTES);
        System.out.printf("run with rank 0's executor killed after step 300: %.1f s, %d attempts%n",
                (System.nanoTime() - start) / 1e9, resumed.attempts());
        assertEquals(2, resumed.attempts());
        String line = awaitExecutorLine("[lockstep rank 0] Resumed from " + checkpoints.resolve("step-"));
        assertTrue(line.contains("(epoch 2, "), line);
        assertEquals(epochs(uninterrupted), epochs(resumed), "the epochs before the checkpoint come with it");
        assertEquals(uninterrupted.metrics().epochs().get(0).trainLoss(), resumed.metrics().epochs().get(0).trainLoss(), 0);
        assertEquals(0.0, maxRelativeDifference(resumed.stateDict(), uninterrupted.stateDict()));
    }

    private static List<Integer> epochs(SparkTrainResult r) {
        return r.metrics().epochs().stream().map(EpochMetrics::epoch).toList();
    }

    /**
     * Waits until a rank logs {@code line} to its executor's stdout (the worker keeps it under
     * SPARK_HOME/work/APP/EXECUTOR_ID), then kills that executor's JVM only. The stdout holds
     * earlier runs' lines too, so {@code line} must be one only this run logs.
     */
    private static void killExecutorOnceItLogs(String line, CompletableFuture<?> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline && !run.isDone()) {
            Optional<String> executorId = executorLogging(line);
            if (executorId.isPresent()) {
                List<ProcessHandle> executors = ProcessHandle.current().descendants()
                        .filter(p -> isExecutor(p, executorId.get())).toList();
                assertEquals(1, executors.size());
                assertTrue(executors.get(0).destroyForcibly());
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no executor logged '" + line + "' before the run ended");
    }

    /** The first executor stdout line containing {@code text}; the worker may copy it there a little late. */
    private static String awaitExecutorLine(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            Optional<String> line = executorLine(text);
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no executor logged '" + text + "'");
    }

    /** The id of the executor whose stdout has a line containing {@code text}. */
    private static Optional<String> executorLogging(String text) throws IOException {
        Path app = Path.of(System.getenv("SPARK_HOME"), "work", sc.sc().applicationId());
        try (Stream<Path> executors = Files.list(app)) {
            for (Path dir : executors.toList()) {
                Path stdout = dir.resolve("stdout");
                if (Files.exists(stdout) && Files.readAllLines(stdout).stream().anyMatch(l -> l.contains(text))) {
                    return Optional.of(dir.getFileName().toString());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> executorLine(String text) throws IOException {
        Path app = Path.of(System.getenv("SPARK_HOME"), "work", sc.sc().applicationId());
        try (Stream<Path> executors = Files.list(app)) {
            for (Path stdout : executors.map(dir -> dir.resolve("stdout")).filter(Files::exists).toList()) {
                Optional<String> line = Files.readAllLines(stdout).stream().filter(l -> l.contains(text)).findFirst();
                if (line.isPresent()) {
                    return line;
                }
            }
        }
        return Optional.empty();
    }

    /** Reads /proc: ProcessHandle gives no arguments for command lines over 4 KiB, as the executors' are. */
    private static boolean isExecutor(ProcessHandle p, String executorId) {
        List<String> args;
        try {
            args = List.of(Files.readString(Path.of("/proc", "" + p.pid(), "cmdline")).split("\0"));
        } catch (IOException e) {
            return false; // it has exited
        }
        int id = args.indexOf("--executor-id");
        return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                && id >= 0 && id + 1 < args.size() && args.get(id + 1).equals(executorId);
    }

    /** The same job as two JVMs started by {@code lockstep run --nproc-per-node 2}; its model.safetensors. */
    private static Map<String, Tensor> lockstepRun(Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--model", "regression", "--epochs", "" + JOB.epochs(),
                "--batch-size", "" + JOB.batchSize(), "--lr", "" + JOB.lr(), "--optimizer", JOB.optimizer(),
                "--seed", "" + JOB.seed(), "--threads", "1", "--log-interval", "0", "--out", dir.toString(),
                "--strategy", "ddp"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        LaunchConfig config = new LaunchConfig(2, 1, 0, "127.0.0.1", ProcessGroupOptions.freePort(), 60, 0, "",
                LaunchConfig.CLI_MAIN, args);
        RunResult r = new LocalAgent(config, print, print).run();
        assertTrue(r.isSuccess(), r.summary() + "\n" + out.toString(StandardCharsets.UTF_8));
        return Safetensors.load(dir.resolve("model.safetensors"));
    }

    /** max |a - b| / max |b| over all tensors. */
    private static double maxRelativeDifference(Map<String, Tensor> a, Map<String, Tensor> b) {
        double diff = 0;
        double scale = 0;
        for (String name : b.keySet()) {
            float[] x = a.get(name).toFloatArray();
            float[] y = b.get(name).toFloatArray();
            assertEquals(y.length, x.length, name);
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(y[i]));
            }
        }
        return diff / scale;
    }
}
