package dev.lockstep.train;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.RandomSampler;
import dev.lockstep.data.SequentialSampler;
import dev.lockstep.io.Safetensors;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.Reduction;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.parallel.SingleDevice;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
        int world = strategy.worldSize();
        if (batchSize % world != 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " must be divisible by the number of processes ("
                    + world + ")");
        }
        Module wrapped = strategy.wrap(model);
        DataLoader trainLoader = DataLoader.builder(train).batchSize(batchSize / world).numWorkers(numWorkers)
                .sampler(strategy.shard(new RandomSampler(train.size(), seed), train.size())).build();
        DataLoader testLoader = DataLoader.builder(test).batchSize(evalBatchSize).numWorkers(numWorkers)
                .sampler(strategy.shardForEval(new SequentialSampler(test.size()), test.size())).build();
        long batches = trainLoader.numBatches();
        listeners.onTrainingStart(new TrainingInfo(strategy.rank(), world, strategy.name(), epochs, batches,
                train.size(), batchSize));
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            try (MemoryScope epochScope = MemoryScope.open()) {
                listeners.onEpochStart(epoch);
                long start = System.nanoTime();
                trainLoader.setEpoch(epoch - 1);
                double trainLoss = trainEpoch(epoch, wrapped, criterion, optimizer, trainLoader, train.size());
                double seconds = (System.nanoTime() - start) / 1e9;
                double[] eval = evaluate(epoch, epoch * batches, model, criterion, testLoader);
                EpochMetrics metrics = new EpochMetrics(epoch, trainLoss, eval[0], eval[1], seconds, train.size() / seconds);
                history.add(metrics);
                report(history);
                listeners.onEpochEnd(metrics);
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

    private double trainEpoch(int epoch, Module wrapped, Loss criterion, Optimizer optimizer,
                              DataLoader loader, long datasetSize) {
        wrapped.train();
        Device device = strategy.inputDevice();
        long batches = loader.numBatches();
        long firstStep = (epoch - 1) * batches;
        double[] lossSum = {0, 0};
        int batchIdx = 0;
        // The iterator by hand, so that waiting for the next batch is timed.
        for (Iterator<Batch> it = loader.iterator(); ; batchIdx++) {
            long t0 = System.nanoTime();
            if (!it.hasNext()) {
                break;
            }
            Batch batch = it.next();
            long t1 = System.nanoTime();
            Tensor output = wrapped.forward(batch.input().to(device));
            Tensor loss = criterion.forward(output, batch.target().to(device));
            long t2 = System.nanoTime();
            optimizer.zeroGrad();
            loss.backward();
            long t3 = System.nanoTime();
            strategy.syncGradients(wrapped);
            long t4 = System.nanoTime();
            optimizer.step();
            double value = loss.item(); // on CUDA this waits for the step's kernels: counted as optimiser time
            long t5 = System.nanoTime();
            long step = firstStep + batchIdx;
            listeners.onPhase(Phase.DATA, epoch, step, t0, t1);
            listeners.onPhase(Phase.FORWARD, epoch, step, t1, t2);
            listeners.onPhase(Phase.BACKWARD, epoch, step, t2, t3);
            listeners.onPhase(Phase.SYNC, epoch, step, t3, t4);
            listeners.onPhase(Phase.OPTIMIZER, epoch, step, t4, t5);
            listeners.onBatchEnd(epoch, batchIdx, batches, batch.size(), value);
            lossSum[0] += value;
            lossSum[1] += 1;
            if (logInterval > 0 && batchIdx % logInterval == 0 && strategy.isMain()) {
                log.accept(String.format(Locale.ROOT, "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f", epoch,
                        Math.min((long) batchIdx * batchSize, datasetSize), datasetSize, 100.0 * batchIdx / batches, value));
            }
        }
        long syncStart = System.nanoTime();
        strategy.allReduceSum(lossSum);
        listeners.onPhase(Phase.SYNC, epoch, firstStep + batchIdx, syncStart, System.nanoTime());
        return lossSum[0] / lossSum[1];
    }

    /** Returns {mean test loss, accuracy (NaN for regression)} over the whole test set. */
    private double[] evaluate(int epoch, long step, Module model, Loss criterion, DataLoader loader) {
        long start = System.nanoTime();
        model.eval();
        double[] sums = {0, 0, 0}; // loss summed over examples, correct, examples
        try (NoGrad g = NoGrad.open()) {
            Device device = strategy.inputDevice();
            for (Batch batch : loader) {
                Tensor output = model.forward(batch.input().to(device));
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
        private int evalBatchSize = 1000;
        private long seed = 1;
        private int numWorkers = 1;
        private int logInterval = 100;
        private boolean classification = true;
        private Path outDir;
        private Consumer<String> log = System.out::println;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {
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

        public Builder evalBatchSize(int evalBatchSize) {
            this.evalBatchSize = positive("eval batch size", evalBatchSize);
            return this;
        }

        /** Seed of the training data order. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Background threads preparing batches (0 = load in the training thread). */
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
