package dev.lockstep.data;

import dev.lockstep.tensor.MemoryScope;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mini-batches of a dataset, as {@code torch.utils.data.DataLoader}.
 *
 * <p>Native memory: iterating opens a {@link MemoryScope} for each batch and closes it when the
 * next batch is requested (or the epoch ends), so every tensor made while processing a batch —
 * activations, losses, gradients' temporaries — is released at the end of its step. Parameters,
 * optimiser state and values read out with {@code item()} survive; call {@code keep()} on any
 * other tensor that must outlive its step.
 *
 * <p>With {@code numWorkers > 0}, that many background threads prepare the next batches while the
 * current one trains; the order is the same as without workers.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private final Sampler sampler;
    private final boolean dropLast;
    private final int numWorkers;
    private int epoch;
    private Epoch current;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.sampler = b.sampler != null ? b.sampler
                : b.shuffle ? new RandomSampler(dataset.size(), b.seed) : new SequentialSampler(dataset.size());
        this.dropLast = b.dropLast;
        this.numWorkers = b.numWorkers;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Chooses the epoch whose order the next iteration uses (as {@code DistributedSampler.set_epoch}). */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Examples one epoch visits (after sampling, before batching). */
    public long numSamples() {
        return sampler.indices(epoch).length;
    }

    /** Batches per epoch. */
    public long numBatches() {
        long n = numSamples();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Starts an epoch. A previous epoch's iteration that is still open is closed first. */
    @Override
    public Iterator<Batch> iterator() {
        if (current != null) {
            current.close();
        }
        current = new Epoch(sampler.indices(epoch));
        epoch++;
        return current;
    }

    private long[][] batchIndices(long[] order) {
        int batches = (int) (dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize);
        long[][] out = new long[batches][];
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            out[b] = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
        }
        return out;
    }

    /** One pass over the data; owns the scope of the batch last handed out. */
    private final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final long[][] batches;
        private final ExecutorService workers;
        private final Deque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int nextToSubmit;
        private int nextToReturn;
        private MemoryScope stepScope;

        Epoch(long[] order) {
            this.batches = batchIndices(order);
            this.workers = numWorkers == 0 ? null : Executors.newFixedThreadPool(numWorkers, r -> {
                Thread t = new Thread(r, "lockstep-dataloader");
                t.setDaemon(true);
                return t;
            });
            fill();
        }

        private void fill() {
            while (workers != null && nextToSubmit < batches.length && inFlight.size() < 2 * numWorkers) {
                long[] idx = batches[nextToSubmit++];
                inFlight.add(workers.submit(() -> dataset.get(idx)));
            }
        }

        @Override
        public boolean hasNext() {
            boolean more = nextToReturn < batches.length;
            if (!more) {
                close();
            }
            return more;
        }

        @Override
        public Batch next() {
            if (nextToReturn >= batches.length) {
                close();
                throw new NoSuchElementException("epoch has " + batches.length + " batches");
            }
            closeStepScope();
            stepScope = MemoryScope.open();
            Batch batch = workers == null ? dataset.get(batches[nextToReturn]) : takePrefetched();
            nextToReturn++;
            return batch;
        }

        private Batch takePrefetched() {
            try {
                Batch b = inFlight.remove().get();
                fill();
                return new Batch(stepScope.adopt(b.input()), stepScope.adopt(b.target()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("loading a batch failed: " + e.getCause().getMessage(), e.getCause());
            }
        }

        private void closeStepScope() {
            if (stepScope != null) {
                stepScope.close();
                stepScope = null;
            }
        }

        @Override
        public void close() {
            closeStepScope();
            if (workers != null) {
                inFlight.forEach(f -> f.cancel(true));
                inFlight.clear();
                workers.shutdownNow();
            }
        }
    }

    /** Options for a {@link DataLoader}; defaults as PyTorch's (batch 1, no shuffle, keep last). */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int numWorkers;
        private Sampler sampler;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seed of the shuffle order. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder numWorkers(int numWorkers) {
            if (numWorkers < 0) {
                throw new IllegalArgumentException("numWorkers must be >= 0, got " + numWorkers);
            }
            this.numWorkers = numWorkers;
            return this;
        }

        /** A custom order (a {@code DistributedSampler}, say); overrides {@link #shuffle}. */
        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
