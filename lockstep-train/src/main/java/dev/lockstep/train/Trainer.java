package dev.lockstep.train;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.RandomSampler;
import dev.lockstep.data.Sampler;
import dev.lockstep.data.SequentialSampler;
import dev.lockstep.io.Safetensors;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.Reduction;
import dev.lockstep.optim.LRScheduler;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.parallel.SingleDevice;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The training loop of the seeds (forward, loss, zero_grad, backward, step; then evaluate),
 * with everything about devices and processes delegated to a {@link Strategy}. Only the main
 * process logs and writes files.
 *
 * <p>{@code batchSize} is the global batch: under DDP each of N processes takes batchSize / N.
 *
 * <p>With {@link CheckpointOptions} it checkpoints at each epoch end and every N steps; a run
 * resumed from a checkpoint continues with exactly the batches (and dropout masks) an
 * uninterrupted run would have used.
 */
public final class Trainer {
    private final Strategy strategy;
    private final int epochs;
    private final int batchSize;
    private final int evalBatchSize;
    private final long seed;
    private final int numWorkers;
    private final int logInterval;
    private final boolean classification;
    private final Path outDir;
    private final Consumer<String> log;
    private final CheckpointOptions checkpoints;
    private final Path resumeFrom;
    private final boolean resumeLatest;
    private final boolean skipNonFinite;
    private final SchedulerInterval schedulerInterval;
    private final int blasThreads;
    private final MemoryFormat memoryFormat;
    private final Listeners listeners;

    private Trainer(Builder b) {
        this.strategy = b.strategy;
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.evalBatchSize = b.evalBatchSize;
        this.seed = b.seed;
        this.numWorkers = b.numWorkers;
        this.logInterval = b.logInterval;
        this.classification = b.classification;
        this.outDir = b.outDir;
        this.log = b.log;
        this.checkpoints = b.checkpoints;
        this.resumeFrom = b.resumeFrom;
        this.resumeLatest = b.resumeLatest;
        this.skipNonFinite = b.skipNonFinite;
        this.schedulerInterval = b.schedulerInterval;
        this.blasThreads = b.blasThreads;
        this.memoryFormat = b.memoryFormat;
        this.listeners = new Listeners(b.listeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code model} on {@code train}, evaluating on {@code test} after each epoch. The
     * optimiser must be over {@code model.parameters()}.
     */
    public TrainingResult fit(Module model, Loss criterion, Optimizer optimizer, Dataset train, Dataset test) {
        return fit(model, criterion, optimizer, null, train, test);
    }

    /**
     * As {@link #fit(Module, Loss, Optimizer, Dataset, Dataset)}, stepping {@code scheduler} (or
     * nothing, when null) once after each epoch, or after each optimiser step with
     * {@link Builder#schedulerInterval(SchedulerInterval) SchedulerInterval.STEP}.
     */
    public TrainingResult fit(Module model, Loss criterion, Optimizer optimizer, LRScheduler scheduler,
                              Dataset train, Dataset test) {
        CpuThreads threads = CpuThreads.choose(model, strategy, blasThreads, numWorkers);
        int callersBlasThreads = Torch.blasThreads();
        Torch.setBlasThreads(threads.blas());
        try {
            return train(model, criterion, optimizer, scheduler, train, test, threads.loaderWorkers());
        } finally {
            Torch.setBlasThreads(callersBlasThreads);
        }
    }

    private TrainingResult train(Module model, Loss criterion, Optimizer optimizer, LRScheduler scheduler,
                                 Dataset train, Dataset test, int workers) {
        int world = strategy.worldSize();
        if (batchSize % world != 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " must be divisible by the number of processes ("
                    + world + ")");
        }
        if (memoryFormat != MemoryFormat.CONTIGUOUS) {
            model.to(memoryFormat); // the weights laid out as the inputs are, as PyTorch's channels-last recipe does
        }
        Module wrapped = strategy.wrap(model);
        Sampler trainOrder = trainOrder(train);
        DataLoader trainLoader = trainLoader(train, trainOrder, 0, workers);
        long stepsPerEpoch = trainLoader.numBatches();
        List<EpochMetrics> history = new ArrayList<>(); // a resumed run's starts with its checkpoint's
        Checkpointer checkpointer = new Checkpointer(checkpoints, strategy, seed, batchSize, history, log);
        Progress start = resumeFrom == null && !resumeLatest ? checkpointer.startFresh()
                : checkpointer.restore(resumeFrom, resumeLatest, stepsPerEpoch, model, optimizer, scheduler);
        int evalBatch = evalBatchSize > 0 ? evalBatchSize : batchSize / world;
        DataLoader testLoader = DataLoader.builder(test).batchSize(evalBatch).numWorkers(workers)
                .sampler(strategy.shardForEval(new SequentialSampler(test.size()), test.size())).build();
        listeners.onTrainingStart(new TrainingInfo(strategy.rank(), world, strategy.name(), epochs, stepsPerEpoch,
                train.size(), batchSize, start.globalStep(), history));
        for (int epoch = start.epoch(); epoch <= epochs; epoch++) {
            try (MemoryScope epochScope = MemoryScope.open()) {
                listeners.onEpochStart(epoch);
                long started = System.nanoTime();
                long done = epoch == start.epoch() ? start.stepInEpoch() : 0;
                DataLoader loader = done == 0 ? trainLoader : trainLoader(train, trainOrder, done * (batchSize / world), workers);
                loader.setEpoch(epoch - 1);
                Progress from = new Progress(epoch, done, (epoch - 1) * stepsPerEpoch + done);
                double[] trained;
                try (DataLoader closedOnFailureToo = loader) { // no step scope left open on this thread
                    trained = trainEpoch(from, stepsPerEpoch, wrapped, model, criterion, optimizer, scheduler,
                            checkpointer, loader, train.size());
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                strategy.syncBuffers(wrapped);
                double[] eval = evaluate(epoch, epoch * stepsPerEpoch, model, criterion, testLoader);
                EpochMetrics metrics = new EpochMetrics(epoch, trained[0], eval[0], eval[1], seconds,
                        train.size() / seconds, (long) trained[1]);
                history.add(metrics);
                report(history);
                listeners.onEpochEnd(metrics);
                if (scheduler != null && schedulerInterval == SchedulerInterval.EPOCH) {
                    scheduler.step();
                }
                checkpointer.atEpochEnd(new Progress(epoch + 1, 0, epoch * stepsPerEpoch), stepsPerEpoch, model,
                        optimizer, scheduler);
            }
        }
        TrainingResult result = new TrainingResult(history);
        saveWeights(model);
        listeners.onTrainingEnd(result);
        if (world > 1) {
            strategy.allReduceSum(new double[1]); // a barrier: every rank's files are written when fit returns
        }
        return result;
    }

    /**
     * Optimiser steps that {@code fit} will take on {@code train} over all epochs on this
     * process, as Lightning's {@code estimated_stepping_batches}: what a schedule stepped every
     * batch spans.
     */
    public long estimatedSteppingBatches(Dataset train) {
        return epochs * trainLoader(train, trainOrder(train), 0, 0).numBatches();
    }

    private Sampler trainOrder(Dataset train) {
        return strategy.shard(new RandomSampler(train.size(), seed), train.size());
    }

    /**
     * The loader of an epoch's batches; {@code skip} leaves out the first examples of this rank's
     * order, which are whole batches already trained before a resume.
     */
    private DataLoader trainLoader(Dataset train, Sampler order, long skip, int workers) {
        Sampler sampler = skip == 0 ? order : epoch -> {
            long[] all = order.indices(epoch);
            return Arrays.copyOfRange(all, (int) Math.min(skip, all.length), all.length);
        };
        return DataLoader.builder(train).batchSize(batchSize / strategy.worldSize()).numWorkers(workers)
                .sampler(sampler).build();
    }

    /** Trains the rest of an epoch from {@code from}; returns {mean loss, steps skipped as not finite}. */
    private double[] trainEpoch(Progress from, long batches, Module wrapped, Module model, Loss criterion,
                                Optimizer optimizer, LRScheduler scheduler, Checkpointer checkpointer,
                                DataLoader loader, long datasetSize) {
        wrapped.train();
        Device device = strategy.inputDevice();
        int epoch = from.epoch();
        long firstStep = (epoch - 1) * batches;
        double[] sums = {0, 0, 0}; // finite losses, their steps, skipped steps
        long batchIdx = from.stepInEpoch();
        // The iterator by hand, so that waiting for the next batch is timed.
        for (Iterator<Batch> it = loader.iterator(); ; ) {
            long t0 = System.nanoTime();
            long waitedBefore = loader.waitNanos();
            if (!it.hasNext()) {
                break;
            }
            Batch batch = it.next();
            long t1 = System.nanoTime();
            long waitStart = t1 - (loader.waitNanos() - waitedBefore); // next() releases, then waits
            Tensor output = wrapped.forward(input(batch, device));
            Tensor loss = criterion.forward(output, batch.target().to(device));
            double value = loss.item(); // on CUDA this waits for the forward's kernels
            long t2 = System.nanoTime();
            long global = from.globalStep() + (batchIdx - from.stepInEpoch()) + 1;
            optimizer.zeroGrad();
            if (!Double.isFinite(value) && strategy.worldSize() > 1) {
                // An infinite loss can have finite gradients (softmax's are bounded): NaN ones make
                // every rank's averaged gradients, and so every rank's decision, the same.
                loss = loss.mul(Double.NaN);
            }
            try {
                loss.backward();
            } catch (RuntimeException e) {
                throw strategy.describeFailure("backward (with its gradient all-reduce) at epoch " + epoch
                        + ", step " + (batchIdx + 1), e);
            }
            long t3 = System.nanoTime();
            strategy.syncGradients(wrapped);
            long t4 = System.nanoTime();
            if (stepIsFinite(value, model, epoch, batchIdx + 1, global)) {
                optimizer.step();
                sums[0] += value;
                sums[1] += 1;
            } else {
                sums[2] += 1;
            }
            if (scheduler != null && schedulerInterval == SchedulerInterval.STEP) {
                scheduler.step(); // also after a skipped step, as a loop with GradScaler does
            }
            long t5 = System.nanoTime();
            long step = firstStep + batchIdx;
            listeners.onPhase(Phase.RELEASE, epoch, step, t0, waitStart);
            listeners.onPhase(Phase.DATA, epoch, step, waitStart, t1);
            listeners.onPhase(Phase.FORWARD, epoch, step, t1, t2);
            listeners.onPhase(Phase.BACKWARD, epoch, step, t2, t3);
            listeners.onPhase(Phase.SYNC, epoch, step, t3, t4);
            listeners.onPhase(Phase.OPTIMIZER, epoch, step, t4, t5);
            listeners.onBatchEnd(epoch, (int) batchIdx, batches, batch.size(), value);
            if (logInterval > 0 && batchIdx % logInterval == 0 && strategy.isMain()) {
                log.accept(String.format(Locale.ROOT, "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f", epoch,
                        Math.min(batchIdx * batchSize, datasetSize), datasetSize, 100.0 * batchIdx / batches, value));
            }
            batchIdx++;
            checkpointer.afterStep(new Progress(epoch, batchIdx, global), batches, model, optimizer, scheduler);
        }
        long syncStart = System.nanoTime();
        strategy.allReduceSum(sums);
        listeners.onPhase(Phase.SYNC, epoch, firstStep + batchIdx, syncStart, System.nanoTime());
        return new double[] {sums[0] / sums[1], sums[2] / strategy.worldSize()};
    }

    /**
     * Whether this step may update the parameters. Ranks must agree without an extra collective:
     * a rank whose loss is not finite backpropagates NaN gradients, so the averaged gradients are
     * non-finite on every rank, and under DDP each rank also checks them (as PyTorch's GradScaler
     * does). A non-finite step stops training unless such steps are to be skipped.
     */
    private boolean stepIsFinite(double localLoss, Module model, int epoch, long step, long globalStep) {
        boolean finite = Double.isFinite(localLoss) && (strategy.worldSize() == 1 || gradientsFinite(model));
        if (finite) {
            return true;
        }
        if (!skipNonFinite) {
            throw new NonFiniteLossException(epoch, step, globalStep, localLoss);
        }
        if (strategy.isMain()) {
            log.accept("warning: loss is not finite at epoch " + epoch + ", step " + step + ": step skipped");
        }
        return false;
    }

    private static boolean gradientsFinite(Module model) {
        List<Tensor> gradients = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            Tensor g = p.grad();
            if (g != null) {
                gradients.add(g);
            }
        }
        return Tensor.allFinite(gradients);
    }

    private Tensor input(Batch batch, Device device) {
        Tensor x = batch.input().to(device);
        return memoryFormat == MemoryFormat.CONTIGUOUS ? x : x.contiguous(memoryFormat);
    }

    /** Returns {mean test loss, accuracy (NaN for regression)} over the whole test set. */
    private double[] evaluate(int epoch, long step, Module model, Loss criterion, DataLoader loader) {
        long start = System.nanoTime();
        model.eval();
        double[] sums = {0, 0, 0}; // loss summed over examples, correct, examples
        try (NoGrad g = NoGrad.open(); DataLoader closedOnFailureToo = loader) {
            Device device = strategy.inputDevice();
            for (Batch batch : loader) {
                Tensor output = model.forward(input(batch, device));
                Tensor target = batch.target().to(device);
                sums[0] += criterion.forward(output, target).item() * batch.size();
                if (classification) {
                    sums[1] += output.argmax(1).eq(target).sum().item();
                }
                sums[2] += batch.size();
            }
        }
        long syncStart = System.nanoTime();
        strategy.allReduceSum(sums);
        listeners.onPhase(Phase.EVAL, epoch, step, start, syncStart);
        listeners.onPhase(Phase.SYNC, epoch, step, syncStart, System.nanoTime());
        double loss = sums[0] / sums[2];
        double accuracy = classification ? sums[1] / sums[2] : Double.NaN;
        if (strategy.isMain()) {
            log.accept(classification
                    ? String.format(Locale.ROOT, "Test set: Average loss: %.4f, Accuracy: %d/%d (%.2f%%)",
                            loss, (long) sums[1], (long) sums[2], 100 * accuracy)
                    : String.format(Locale.ROOT, "Test set: Average loss: %.6f", loss));
        }
        return new double[] {loss, accuracy};
    }

    private void report(List<EpochMetrics> history) {
        if (outDir == null || !strategy.isMain()) {
            return;
        }
        try {
            MetricsFile.write(outDir.resolve("metrics.json"), new TrainingResult(history));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + outDir.resolve("metrics.json") + ": " + e.getMessage(), e);
        }
    }

    private void saveWeights(Module model) {
        if (outDir == null || !strategy.isMain()) {
            return;
        }
        try {
            Safetensors.save(model.stateDict(), outDir.resolve("model.safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + outDir.resolve("model.safetensors") + ": " + e.getMessage(), e);
        }
    }

    /** Options of a {@link Trainer}; defaults are seed 000's (batch 64, one epoch, log every 100 batches). */
    public static final class Builder {
        private Strategy strategy = new SingleDevice(Device.CPU);
        private int epochs = 1;
        private int batchSize = 64;
        private int evalBatchSize = -1; // this process's training batch, chosen in fit
        private long seed = 1;
        private int numWorkers = -1; // chosen in fit, as blasThreads
        private int logInterval = 100;
        private boolean classification = true;
        private Path outDir;
        private Consumer<String> log = System.out::println;
        private CheckpointOptions checkpoints;
        private Path resumeFrom;
        private boolean resumeLatest;
        private boolean skipNonFinite;
        private SchedulerInterval schedulerInterval = SchedulerInterval.EPOCH;
        private int blasThreads = -1; // chosen in fit from the model and strategy (CpuThreads)
        private MemoryFormat memoryFormat = MemoryFormat.CONTIGUOUS;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Checkpoint at each epoch end (and every N steps, if set); none when not set. */
        public Builder checkpoints(CheckpointOptions checkpoints) {
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            return this;
        }

        /** Resume from this checkpoint directory; an unusable one is an error. */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            this.resumeLatest = false;
            return this;
        }

        /**
         * Resume from the newest usable checkpoint of {@link #checkpoints}'s directory, skipping
         * (with a warning) any newer unusable one; start from the beginning when there is none.
         */
        public Builder resumeFromLatest() {
            this.resumeFrom = null;
            this.resumeLatest = true;
            return this;
        }

        /**
         * As {@link #resumeFromLatest()}, but from {@code fallback} while the directory has no usable
         * checkpoint: a restarted run that began from a checkpoint kept elsewhere.
         */
        public Builder resumeFromLatestOr(Path fallback) {
            this.resumeFrom = Objects.requireNonNull(fallback, "fallback");
            this.resumeLatest = true;
            return this;
        }

        /** Skip steps whose loss is NaN or infinite (no optimiser step) instead of stopping; they are counted. */
        public Builder skipNonFinite(boolean skip) {
            this.skipNonFinite = skip;
            return this;
        }

        /** When {@code fit} steps its scheduler (Lightning's {@code interval}); EPOCH by default. */
        public Builder schedulerInterval(SchedulerInterval interval) {
            this.schedulerInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Threads of OpenBLAS's pool during {@code fit} (the CPU's matrix products). By default
         * libtorch's threads for a model without convolutions on the CPU, one replica per process;
         * else one (measured, in {@code CpuThreads}). The caller's setting is restored when
         * {@code fit} returns.
         */
        public Builder blasThreads(int threads) {
            this.blasThreads = positive("BLAS threads", threads);
            return this;
        }

        /**
         * The layout the model's inputs are handed over in; CONTIGUOUS (the default) leaves them as
         * the loader made them. CHANNELS_LAST also lays out the model's 4-d weights so before the
         * strategy wraps it ({@code Module.to}), and needs 4-d [N, C, H, W] inputs, and a model that
         * reshapes its activations with {@code flatten} or {@code reshape}, not {@code view}, as in
         * PyTorch. On the CPU it made the seeds' CNN's training steps about 1.2× and its evaluation
         * 2–3× faster, with the same results (BENCHMARKS.md).
         */
        public Builder memoryFormat(MemoryFormat format) {
            this.memoryFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        public Builder epochs(int epochs) {
            this.epochs = positive("epochs", epochs);
            return this;
        }

        /** The global batch size (divided among DDP processes). */
        public Builder batchSize(int batchSize) {
            this.batchSize = positive("batch size", batchSize);
            return this;
        }

        /**
         * This process's batch for evaluation. By default its training batch (the global batch /
         * processes), so that evaluating allocates what a training step already does. PyTorch's
         * MNIST example evaluates 1,000 at a time; on the CPU that made the seeds' CNN allocate
         * 100 MB activations, which glibc maps fresh (and the kernel faults in page by page) for
         * every batch: evaluating 10,000 images took 3 to 6 s instead of 0.5 s (BENCHMARKS.md).
         */
        public Builder evalBatchSize(int evalBatchSize) {
            this.evalBatchSize = positive("eval batch size", evalBatchSize);
            return this;
        }

        /** Seed of the training data order. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Background threads preparing batches (0 = load in the training thread). By default one,
         * or none while OpenBLAS has several threads (measured, in {@code CpuThreads}).
         */
        public Builder numWorkers(int numWorkers) {
            if (numWorkers < 0) {
                throw new IllegalArgumentException("numWorkers must be >= 0, got " + numWorkers);
            }
            this.numWorkers = numWorkers;
            return this;
        }

        /** Log every {@code n} batches; 0 turns progress lines off. */
        public Builder logInterval(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("log interval must be >= 0, got " + n);
            }
            this.logInterval = n;
            return this;
        }

        /** Whether outputs are class scores (accuracy is measured) rather than regression values. */
        public Builder classification(boolean classification) {
            this.classification = classification;
            return this;
        }

        /** Where metrics.json and model.safetensors go; none when not set. */
        public Builder outDir(Path outDir) {
            this.outDir = outDir;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Adds a listener; listeners are called in the order they were added. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Trainer build() {
            if (resumeLatest && checkpoints == null) {
                throw new IllegalArgumentException("resuming from the latest checkpoint needs checkpoints(...) to say where they are");
            }
            return new Trainer(this);
        }

        private static int positive(String what, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
