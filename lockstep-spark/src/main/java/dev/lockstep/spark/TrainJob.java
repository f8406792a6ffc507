package dev.lockstep.spark;

import dev.lockstep.data.Dataset;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.models.ModelKind;
import dev.lockstep.models.SyntheticRegression;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.MSELoss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.Adam;
import dev.lockstep.optim.AdamW;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.SGD;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
public record TrainJob(ModelKind model, int epochs, int batchSize, double lr, String optimizer, long seed,
                       String dataDir, int threads, Duration timeout, int logInterval) implements Serializable {
    private static final Set<String> OPTIMIZERS = Set.of("sgd", "adam", "adamw");
    private static final Set<String> FLAGS = Set.of("model", "epochs", "batch-size", "lr", "optimizer", "seed",
            "data-dir", "threads", "timeout", "log-interval");

    public TrainJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(timeout, "timeout");
        check(epochs > 0, "--epochs must be > 0, got " + epochs);
        check(batchSize > 0, "--batch-size must be > 0, got " + batchSize);
        check(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        check(OPTIMIZERS.contains(optimizer), "unknown --optimizer '" + optimizer + "': expected sgd, adam or adamw");
        check(!model.classification() || dataDir != null, "--data-dir is needed for " + model.cliName());
        check(threads >= 0, "--threads must be >= 0, got " + threads);
        check(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive, got " + timeout);
        check(logInterval >= 0, "--log-interval must be >= 0, got " + logInterval);
    }

    /** Seed 000's defaults ({@code lockstep train}'s) for {@code model}, on the MNIST in {@code dataDir}. */
    public static TrainJob of(ModelKind model, String dataDir) {
        return new TrainJob(model, 1, 64, 1e-3, "adam", 1, dataDir, 0, Duration.ofMinutes(5), 100);
    }

    /**
     * Parses {@code lockstep train} flags ({@code --model --epochs --batch-size --lr --optimizer --seed
     * --data-dir --threads --timeout --log-interval}, as {@code --name value} or {@code --name=value}).
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
        return new TrainJob(ModelKind.parse(v.getOrDefault("model", "cnn")), integer(v, "epochs", 1),
                integer(v, "batch-size", 64), number(v, "lr", 1e-3), v.getOrDefault("optimizer", "adam"),
                integer(v, "seed", 1L), dataDir, integer(v, "threads", 0),
                Duration.ofSeconds(integer(v, "timeout", 300)), integer(v, "log-interval", 100));
    }

    /** {train, test}, as {@code lockstep train} loads them. */
    Dataset[] datasets() {
        if (!model.classification()) {
            TensorDataset[] d = SyntheticRegression.generate(seed, 1000, 200);
            return new Dataset[] {d[0], d[1]};
        }
        Path dir = Path.of(dataDir);
        try {
            return new Dataset[] {MNIST.train(dir, model.transform()), MNIST.test(dir, model.transform())};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST from " + dir + " on this executor: " + e.getMessage(), e);
        }
    }

    Optimizer optimizer(Module m) {
        return switch (optimizer) {
            case "adam" -> new Adam(m.parameters(), lr);
            case "adamw" -> new AdamW(m.parameters(), lr);
            default -> new SGD(m.parameters(), lr);
        };
    }

    Loss loss() {
        return model.classification() ? new CrossEntropyLoss() : new MSELoss();
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
