package dev.lockstep.spark;

import dev.lockstep.data.Dataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.models.ModelKind;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.Adam;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.train.CheckpointOptions;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What every rank trains, as {@code lockstep train}'s flags: shipped to the executors inside the
 * barrier task, so it holds only plain values and builds model, data and optimiser there.
 *
 * @param model       one of the seeds' models
 * @param epochs      passes over the training set
 * @param batchSize   global batch size, divided among the ranks
 * @param lr          learning rate
 * @param optimizer   {@code sgd}, {@code adam} or {@code adamw}
 * @param seed        initial weights and data order
 * @param dataDir     MNIST IDX files, readable at this path on every executor (unused for regression)
 * @param threads     libtorch threads per rank; 0 means the task's {@code spark.task.cpus}
 * @param timeout     how long rendezvous and each collective may wait for a silent peer
 * @param logInterval batches between rank 0's progress lines (0: none)
 * @param checkpointDir   an absolute directory every executor can reach (a shared or HDFS-mounted
 *                        file system) where rank 0 checkpoints and every attempt resumes from; null
 *                        for none
 * @param checkpointEvery steps between checkpoints within an epoch; 0 for epoch ends only
 * @param keepCheckpoints how many of the newest checkpoints to keep
 */
public record TrainJob(ModelKind model, int epochs, int batchSize, double lr, String optimizer, long seed,
                       String dataDir, int threads, Duration timeout, int logInterval, String checkpointDir,
                       int checkpointEvery, int keepCheckpoints) implements Serializable {
    private static final Set<String> FLAGS = Set.of("model", "epochs", "batch-size", "lr", "optimizer", "seed",
            "data-dir", "threads", "timeout", "log-interval", "checkpoint-dir", "checkpoint-every", "keep-checkpoints");

    public TrainJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(timeout, "timeout");
        check(epochs > 0, "--epochs must be > 0, got " + epochs);
        check(batchSize > 0, "--batch-size must be > 0, got " + batchSize);
        check(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        check(Optimizers.NAMES.contains(optimizer), "unknown --optimizer '" + optimizer + "': expected sgd, adam or adamw");
        check(!model.classification() || dataDir != null, "--data-dir is needed for " + model.cliName());
        check(threads >= 0, "--threads must be >= 0, got " + threads);
        check(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive, got " + timeout);
        check(logInterval >= 0, "--log-interval must be >= 0, got " + logInterval);
        // A relative path would resolve against each executor's own working directory.
        check(checkpointDir == null || Path.of(checkpointDir).isAbsolute(),
                "--checkpoint-dir must be an absolute path every executor can reach, got '" + checkpointDir + "'");
        check(checkpointEvery >= 0, "--checkpoint-every must be > 0 steps or 'epoch', got " + checkpointEvery);
        check(checkpointEvery == 0 || checkpointDir != null, "--checkpoint-every needs --checkpoint-dir DIR");
        check(keepCheckpoints >= 1, "--keep-checkpoints must be >= 1, got " + keepCheckpoints);
    }

    /** A job without checkpoints: every attempt trains from the start. */
    public TrainJob(ModelKind model, int epochs, int batchSize, double lr, String optimizer, long seed, String dataDir,
                    int threads, Duration timeout, int logInterval) {
        this(model, epochs, batchSize, lr, optimizer, seed, dataDir, threads, timeout, logInterval, null, 0,
                CheckpointOptions.DEFAULT_KEEP);
    }

    /** Seed 000's defaults ({@code lockstep train}'s) for {@code model}, on the MNIST in {@code dataDir}. */
    public static TrainJob of(ModelKind model, String dataDir) {
        return new TrainJob(model, 1, 64, 1e-3, "adam", 1, dataDir, 0, Duration.ofMinutes(5), 100);
    }

    /** This job checkpointing into {@code dir} (absolute, reachable from every executor); see the fields. */
    public TrainJob withCheckpoints(String dir, int every, int keep) {
        return new TrainJob(model, epochs, batchSize, lr, optimizer, seed, dataDir, threads, timeout, logInterval, dir,
                every, keep);
    }

    /**
     * Parses {@code lockstep train} flags ({@code --model --epochs --batch-size --lr --optimizer --seed
     * --data-dir --threads --timeout --log-interval}, as {@code --name value} or {@code --name=value}),
     * and the checkpoint flags {@code --checkpoint-dir DIR --checkpoint-every N|epoch --keep-checkpoints K}.
     * The data directory defaults to the MNIST bundled under {@code lockstep.home}, as an absolute path.
     *
     * @throws IllegalArgumentException naming the bad flag
     */
    public static TrainJob parse(List<String> args) {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            check(arg.startsWith("--"), "unexpected argument '" + arg + "'");
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            check(FLAGS.contains(name), "unknown option --" + name);
            check(eq >= 0 || i + 1 < args.size(), "--" + name + " needs a value");
            v.put(name, eq >= 0 ? arg.substring(eq + 1) : args.get(++i));
        }
        String home = System.getProperty("lockstep.home", ".");
        String dataDir = v.getOrDefault("data-dir", Path.of(home, "data", "mnist").toAbsolutePath().toString());
        check(v.containsKey("checkpoint-dir") || !v.containsKey("keep-checkpoints"),
                "--keep-checkpoints needs --checkpoint-dir DIR");
        return new TrainJob(ModelKind.parse(v.getOrDefault("model", "cnn")), integer(v, "epochs", 1),
                integer(v, "batch-size", 64), number(v, "lr", 1e-3), v.getOrDefault("optimizer", "adam"),
                integer(v, "seed", 1L), dataDir, integer(v, "threads", 0),
                Duration.ofSeconds(integer(v, "timeout", 300)), integer(v, "log-interval", 100),
                v.get("checkpoint-dir"), checkpointEvery(v.getOrDefault("checkpoint-every", "epoch")),
                integer(v, "keep-checkpoints", CheckpointOptions.DEFAULT_KEEP));
    }

    /** Where rank 0 checkpoints, if anywhere; built on the executor, {@link Path} not being serializable. */
    Optional<CheckpointOptions> checkpoints() {
        return checkpointDir == null ? Optional.empty()
                : Optional.of(new CheckpointOptions(Path.of(checkpointDir), checkpointEvery, keepCheckpoints));
    }

    /** {train, test}, as {@code lockstep train} loads them. */
    Dataset[] datasets() {
        try {
            return model.datasets(dataDir == null ? null : Path.of(dataDir), seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST from " + dataDir + " on this executor: " + e.getMessage(), e);
        }
    }

    Optimizer optimizer(Module m) {
        return Optimizers.create(optimizer, m.parameters(), lr);
    }

    private static int integer(Map<String, String> v, String name, int fallback) {
        long value = integer(v, name, (long) fallback);
        check(value == (int) value, "--" + name + " is out of range: " + value);
        return (int) value;
    }

    private static long integer(Map<String, String> v, String name, long fallback) {
        String s = v.get(name);
        try {
            return s == null ? fallback : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + s + "'");
        }
    }

    /** {@code epoch} (0: epoch ends only) or a positive number of steps. */
    private static int checkpointEvery(String s) {
        if (s.trim().equals("epoch")) {
            return 0;
        }
        try {
            int steps = Integer.parseInt(s.trim());
            if (steps > 0) {
                return steps;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--checkpoint-every must be a positive number of steps or 'epoch', got '"
                + s + "'");
    }

    private static double number(Map<String, String> v, String name, double fallback) {
        String s = v.get(name);
        try {
            return s == null ? fallback : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + s + "'");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
