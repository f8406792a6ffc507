package dev.lockstep.train;

import dev.lockstep.io.Checkpoint;
import dev.lockstep.io.CheckpointStore;
import dev.lockstep.io.CorruptCheckpointException;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.LRScheduler;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Trainer's checkpoints: what goes into one (model, optimiser, scheduler, libtorch's
 * generator state, the {@link Progress} and the run's settings) and how a run resumes from one.
 * The epochs' metrics so far travel with it, so that a resumed run's metrics
 * files and result cover the whole run. Only the main rank writes; every rank decides from the step count alone, so they agree on
 * when without talking. Every rank reads the checkpoint it resumes from (a directory all of
 * them can see).
 */
final class Checkpointer {
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String SCHEDULER = "scheduler.safetensors";
    static final String RNG = "rng.safetensors";

    private final CheckpointOptions options;
    private final CheckpointStore store;
    private final Strategy strategy;
    private final long seed;
    private final int batchSize;
    private final List<EpochMetrics> history;
    private final Consumer<String> log;

    /** {@code history}: the run's epoch metrics, appended to by the trainer and, on resuming, by this. */
    Checkpointer(CheckpointOptions options, Strategy strategy, long seed, int batchSize, List<EpochMetrics> history,
                 Consumer<String> log) {
        this.options = options;
        this.store = options == null ? null : new CheckpointStore(options.dir(), options.keep());
        this.strategy = strategy;
        this.seed = seed;
        this.batchSize = batchSize;
        this.history = history;
        this.log = log;
    }

    /** After a step inside an epoch (the epoch's last step is left to {@link #atEpochEnd}). */
    void afterStep(Progress p, long stepsPerEpoch, Module model, Optimizer optimizer, LRScheduler scheduler) {
        if (options != null && options.everySteps() > 0 && p.globalStep() % options.everySteps() == 0
                && p.stepInEpoch() < stepsPerEpoch) {
            save(p, stepsPerEpoch, model, optimizer, scheduler);
        }
    }

    /** After an epoch's evaluation and scheduler step: the next run starts at the next epoch. */
    void atEpochEnd(Progress next, long stepsPerEpoch, Module model, Optimizer optimizer, LRScheduler scheduler) {
        if (options != null) {
            save(next, stepsPerEpoch, model, optimizer, scheduler);
        }
    }

    private void save(Progress p, long stepsPerEpoch, Module model, Optimizer optimizer, LRScheduler scheduler) {
        if (!strategy.isMain()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", 1L);
        fields.put("epoch", (long) p.epoch());
        fields.put("step_in_epoch", p.stepInEpoch());
        fields.put("global_step", p.globalStep());
        fields.put("steps_per_epoch", stepsPerEpoch);
        fields.put("world_size", (long) strategy.worldSize());
        fields.put("seed", seed);
        fields.put("batch_size", (long) batchSize);
        fields.put("saved_at", Instant.now().toString());
        fields.put("epochs", history.stream().filter(m -> m.epoch() < p.epoch()).map(EpochMetrics::toJson).toList());
        try (MemoryScope s = MemoryScope.open()) {
            Map<String, Map<String, Tensor>> files = new LinkedHashMap<>();
            files.put(MODEL, model.stateDict());
            files.put(OPTIMIZER, optimizer.stateDict());
            if (scheduler != null) {
                files.put(SCHEDULER, scheduler.stateDict());
            }
            files.put(RNG, Map.of("torch.cpu", Torch.rngState()));
            Path dir = store.save(p.globalStep(), files, fields);
            log.accept("Checkpoint saved: " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + CheckpointStore.name(p.globalStep())
                    + " in " + options.dir() + ": " + e.getMessage(), e);
        }
    }

    /** A run from the beginning: its checkpoint directory must not hold another run's checkpoints. */
    Progress startFresh() {
        if (store != null) {
            try {
                store.requireNone();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        return Progress.START;
    }

    /**
     * Loads a checkpoint into the model, optimiser, scheduler and libtorch's generator, and returns
     * where to continue: with {@code latest}, the newest usable checkpoint of the store (warning
     * about each unusable newer one), else {@code from}, which with {@code latest} is the fallback
     * when the store has none yet. {@link Progress#START} when there is nothing to resume from.
     *
     * @throws IllegalArgumentException when the checkpoint does not fit this run (seed, batch size, data)
     */
    Progress restore(Path from, boolean latest, long stepsPerEpoch, Module model, Optimizer optimizer,
                     LRScheduler scheduler) {
        try (MemoryScope s = MemoryScope.open()) {
            Optional<Checkpoint> found = find(from, latest);
            agreeAcrossRanks(found.isEmpty() ? -1 : found.get().getLong("global_step"),
                    found.map(Object::toString).orElse("no checkpoint"));
            if (found.isEmpty()) {
                mainLog("No checkpoint in " + store.root() + " yet: starting from the beginning");
                return Progress.START;
            }
            Checkpoint c = found.get();
            Progress p = new Progress(Math.toIntExact(c.getLong("epoch")), c.getLong("step_in_epoch"),
                    c.getLong("global_step"));
            requireSame(c, "seed", seed, "--seed");
            requireSame(c, "batch_size", batchSize, "--batch-size");
            requireSame(c, "steps_per_epoch", stepsPerEpoch, "the training set (steps per epoch)");
            if (c.getLong("world_size") != strategy.worldSize()) {
                mainLog("warning: " + c + " was written by " + c.getLong("world_size") + " processes and this run has "
                        + strategy.worldSize() + ": the same samples follow, but results are not bit-identical");
            }
            if (scheduler == null && c.has(SCHEDULER) || scheduler != null && !c.has(SCHEDULER)) {
                throw new IllegalArgumentException(c + (scheduler == null ? " has" : " has no")
                        + " learning-rate scheduler state but this run " + (scheduler == null ? "has none" : "has one"));
            }
            model.loadStateDict(c.load(MODEL));
            optimizer.loadStateDict(c.load(OPTIMIZER));
            if (scheduler != null) {
                scheduler.loadStateDict(c.load(SCHEDULER));
            }
            Torch.setRngState(c.load(RNG).get("torch.cpu"));
            for (Object epoch : c.getList("epochs")) {
                history.add(fromJson(c, epoch));
            }
            mainLog("Resumed from " + c + " (epoch " + p.epoch() + ", step " + p.stepInEpoch() + " of "
                    + stepsPerEpoch + ", global step " + p.globalStep() + ")");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private Optional<Checkpoint> find(Path from, boolean latest) throws IOException {
        if (latest) {
            if (store == null) {
                throw new IllegalStateException("resuming from the latest checkpoint needs checkpoint options (a directory)");
            }
            Optional<Checkpoint> newest = store.latest(warning -> mainLog("warning: " + warning));
            if (newest.isPresent() || from == null) {
                return newest;
            }
        }
        return Optional.of(Checkpoint.open(from));
    }

    private static void requireSame(Checkpoint c, String field, long expected, String what) throws IOException {
        long actual = c.getLong(field);
        if (actual != expected) {
            throw new IllegalArgumentException(c + " was written with " + field.replace('_', ' ') + " " + actual
                    + " but this run has " + expected + ": resume with the same " + what);
        }
    }

    /**
     * Ranks that read different checkpoints (no shared directory, say) would train apart silently.
     * Every rank takes part, also one that found none ({@code globalStep} -1): the sums of the
     * steps and of their squares match n·s and n·s² only when all n ranks have the same s.
     */
    private void agreeAcrossRanks(long globalStep, String found) {
        double step = globalStep;
        double[] sums = {step, step * step};
        strategy.allReduceSum(sums);
        int n = strategy.worldSize();
        if (sums[0] != step * n || sums[1] != step * step * n) {
            throw new IllegalStateException("rank " + strategy.rank() + " found " + found
                    + " but other ranks found a different one: every rank must see the same checkpoint directory");
        }
    }

    private static EpochMetrics fromJson(Checkpoint c, Object json) throws CorruptCheckpointException {
        if (!(json instanceof Map<?, ?> m) || !(m.get("epoch") instanceof Long epoch)
                || !(m.get("skipped_steps") instanceof Long skipped)) {
            throw new CorruptCheckpointException(c.dir(), "an entry of \"epochs\" is malformed: " + json);
        }
        return new EpochMetrics(Math.toIntExact(epoch), number(m.get("train_loss")), number(m.get("test_loss")),
                number(m.get("test_accuracy")), number(m.get("seconds")), number(m.get("samples_per_sec")), skipped);
    }

    /** JSON's null stands for a metric that does not apply (NaN). */
    private static double number(Object json) {
        return json instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private void mainLog(String line) {
        if (strategy.isMain()) {
            log.accept(line);
        }
    }
}
