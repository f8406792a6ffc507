package dev.lockstep.spark;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import scala.reflect.ClassTag$;

/**
 * Runs a {@link TrainJob} as DistributedDataParallel over Spark executors, as PySpark's
 * TorchDistributor does for PyTorch: one barrier task per rank (all start together or none
 * does), c10d between the tasks, metrics and weights back to the driver.
 *
 * <pre>{@code
 * SparkTrainResult r = SparkDistributor.builder().numProcesses(4).build()
 *         .run(sc, TrainJob.of(ModelKind.CNN, "/shared/mnist"));
 * r.saveWeights(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>A rank that dies fails the whole barrier stage, and Spark aborts a barrier {@code collect}
 * rather than retrying it; so the distributor resubmits the job itself, up to
 * {@link Builder#maxAttempts} times. With a {@link TrainJob#checkpointDir} every attempt resumes
 * from the latest usable checkpoint there; without one, each trains from the start.
 */
public final class SparkDistributor {
    private final int numProcesses;
    private final boolean useGpu;
    private final int maxAttempts;
    private final Consumer<String> log;

    private SparkDistributor(Builder b) {
        this.numProcesses = b.numProcesses;
        this.useGpu = b.useGpu;
        this.maxAttempts = b.maxAttempts;
        this.log = b.log;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on the cluster behind {@code sc}; blocks until done.
     *
     * @throws IllegalArgumentException if the job cannot be split over the ranks or GPUs are
     *     asked for without Spark's GPU scheduling
     * @throws IllegalStateException    if the last attempt failed (the cause is Spark's error)
     */
    public SparkTrainResult run(JavaSparkContext sc, TrainJob job) {
        if (job.batchSize() % numProcesses != 0) {
            throw new IllegalArgumentException("--batch-size " + job.batchSize()
                    + " must be divisible by the number of processes (" + numProcesses + ")");
        }
        if (useGpu && !sc.getConf().contains("spark.task.resource.gpu.amount")) {
            throw new IllegalArgumentException("useGpu needs spark.task.resource.gpu.amount=1 (and"
                    + " spark.executor.resource.gpu.amount with a discovery script) in the Spark configuration");
        }
        List<Integer> ranks = IntStream.range(0, numProcesses).boxed().toList();
        for (int attempt = 1; ; attempt++) {
            try {
                List<RankOutput> out = sc.parallelize(ranks, numProcesses).rdd().barrier()
                        .mapPartitions(new RankTask(job, useGpu), false, ClassTag$.MODULE$.apply(RankOutput.class))
                        .toJavaRDD().collect();
                return new SparkTrainResult(out.get(0).metrics(), out.get(0).weights(), attempt);
            } catch (Exception e) {
                // collect() throws SparkException without declaring it.
                if (!(e instanceof SparkException) || attempt >= maxAttempts || sc.sc().isStopped()) {
                    throw new IllegalStateException("lockstep training on Spark failed (attempt " + attempt + " of "
                            + maxAttempts + "): " + e.getMessage(), e);
                }
                log.accept("lockstep: attempt " + attempt + " of " + maxAttempts + " failed, resubmitting ("
                        + (job.checkpointDir() == null ? "from the start" : "from the latest checkpoint in "
                        + job.checkpointDir()) + "): " + firstLine(e.getMessage()));
            }
        }
    }

    private static String firstLine(String s) {
        String m = String.valueOf(s).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Options of a {@link SparkDistributor}. */
    public static final class Builder {
        private int numProcesses = 1;
        private boolean useGpu;
        private int maxAttempts = 2;
        private Consumer<String> log = System.err::println;

        private Builder() {
        }

        /** Ranks, one barrier task each; the cluster needs this many free task slots at once. */
        public Builder numProcesses(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("numProcesses must be >= 1, got " + n);
            }
            this.numProcesses = n;
            return this;
        }

        /** One GPU per rank through Spark's resource scheduling, NCCL between them. */
        public Builder useGpu(boolean useGpu) {
            this.useGpu = useGpu;
            return this;
        }

        /** Submissions before giving up (default 2: one lost executor is survived). */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        /** Where the driver reports resubmissions (default standard error). */
        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        public SparkDistributor build() {
            return new SparkDistributor(this);
        }
    }
}
