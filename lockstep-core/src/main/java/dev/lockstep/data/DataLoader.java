package dev.lockstep.data;

import dev.lockstep.tensor.MemoryScope;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Mini-batches of a dataset, as {@code torch.utils.data.DataLoader}.
 *
 * <p>Native memory: iterating opens a {@link MemoryScope} for each batch and closes it when the
 * next batch is requested (or the epoch ends: {@code hasNext()} returning false releases the last
 * batch), so every tensor made while processing a batch —
 * activations, losses, gradients' temporaries — is released at the end of its step. Parameters,
 * optimiser state and values read out with {@code item()} survive; call {@code keep()} on any
 * other tensor that must outlive its step. A loop left early ({@code break}, an exception) keeps
 * its last step's scope open until the next epoch starts or {@link #close()} is called.
 *
 * <p>With {@code numWorkers > 0}, that many background threads prepare the next batches (up to
 * three per worker) while the current one trains; the order is the same as without workers.
 * Workers run libtorch with the caller's intra-op threads: at one each, as PyTorch's workers run,
 * the MLP's first epoch took about 10 % longer on two cores (BENCHMARKS.md).
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private final Dataset dataset;
    private final int batchSize;
    private final Sampler sampler;
    private final boolean dropLast;
    private final int numWorkers;
    private int epoch;
    private Epoch current;
    private long waitNanos;

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
        return sampler.length(epoch);
    }

    /**
     * Nanoseconds the consumer has spent, over all iterations so far, waiting for batches: blocked
     * on one that a worker had not finished or, without workers, making it itself.
     */
    public long waitNanos() {
        return waitNanos;
    }

    /** Batches per epoch. */
    public long numBatches() {
        long n = numSamples();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * Starts an epoch. A previous epoch's iteration that is still open is closed first: its last
     * batch is released and its iterator reports no more batches.
     */
    @Override
    public Iterator<Batch> iterator() {
        close();
        current = new Epoch(epoch, sampler.indices(epoch));
        epoch++;
        return current;
    }

    /**
     * Ends the current epoch's iteration, if any: releases its last batch's scope and stops its
     * workers. Only needed after leaving a loop early; the loader can start another epoch after.
     */
    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private long[][] batchIndices(long[] order) {
        // in long: a batch size near Integer.MAX_VALUE (a whole dataset per batch) must not overflow
        int batches = (int) (dropLast ? order.length / batchSize : (order.length + (long) batchSize - 1) / batchSize);
        long[][] out = new long[batches][];
        for (int b = 0; b < batches; b++) {
            long from = (long) b * batchSize;
            out[b] = Arrays.copyOfRange(order, (int) from, (int) Math.min(order.length, from + batchSize));
        }
        return out;
    }

    /** A batch made on a worker thread, owned by a scope opened there and closed by the consumer. */
    private record Prefetched(Batch batch, MemoryScope scope) {
    }

    /** One pass over the data; owns the scope of the batch last handed out. */
    private final class Epoch implements Iterator<Batch> {
        private final int number;
        private final long[][] batches;
        private final ExecutorService workers;
        private final Deque<Future<Prefetched>> inFlight = new ArrayDeque<>();
        /** Scopes of batches the workers finished and nobody has taken yet, for close() to release. */
        private final Set<MemoryScope> unclaimed = ConcurrentHashMap.newKeySet();
        private int nextToSubmit;
        private int nextToReturn;
        private MemoryScope stepScope;
        private boolean closed;

        Epoch(int number, long[] order) {
            this.number = number;
            this.batches = batchIndices(order);
            this.workers = numWorkers == 0 ? null : Executors.newFixedThreadPool(numWorkers, r -> {
                Thread t = new Thread(r, "lockstep-dataloader");
                t.setDaemon(true);
                return t;
            });
            fill();
        }

        /**
         * Submits batches in rounds: once only one per worker is left in flight, two more per
         * worker. A worker that has run dry parks, and waking it cost the training thread tens of
         * microseconds here (a futex wake across vCPUs); rounds wake it once per two batches.
         */
        private void fill() {
            if (workers == null || inFlight.size() > numWorkers) {
                return;
            }
            while (nextToSubmit < batches.length && inFlight.size() < 3 * numWorkers) {
                long[] idx = batches[nextToSubmit++];
                inFlight.add(workers.submit(() -> load(idx)));
            }
        }

        /**
         * Runs on a worker. The batch's tensors (and the temporaries that made them) belong to a
         * scope of this thread, so the consumer can release them deterministically by closing it.
         * Such a closed scope stays in the worker thread's scope stack, inert, until the epoch's
         * threads end.
         */
        private Prefetched load(long[] idx) {
            MemoryScope scope = MemoryScope.open();
            try {
                Prefetched p = new Prefetched(dataset.get(idx, number), scope);
                unclaimed.add(scope);
                return p;
            } catch (RuntimeException | Error e) {
                scope.close();
                throw e;
            }
        }

        @Override
        public boolean hasNext() {
            if (closed || nextToReturn >= batches.length) {
                close();
                return false;
            }
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch has ended (" + batches.length + " batches)");
            }
            closeStepScope();
            stepScope = MemoryScope.open();
            long waitStart = System.nanoTime();
            try {
                Batch batch = workers == null ? dataset.get(batches[nextToReturn], number) : takePrefetched();
                nextToReturn++;
                return batch;
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            } finally {
                waitNanos += System.nanoTime() - waitStart;
            }
        }

        private Batch takePrefetched() {
            Future<Prefetched> next = inFlight.remove();
            fill();
            Prefetched p;
            try {
                p = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("loading batch " + nextToReturn + " in a worker failed: "
                        + e.getCause(), e.getCause());
            }
            unclaimed.remove(p.scope());
            try {
                // New handles made here belong to the step scope; the worker's go with its scope.
                return new Batch(p.batch().input().newHandle(), p.batch().target().newHandle());
            } finally {
                p.scope().close();
            }
        }

        private void closeStepScope() {
            if (stepScope != null) {
                stepScope.close();
                stepScope = null;
            }
        }

        /**
         * Ends the epoch and releases every batch made for it but not handed out, now and not
         * whenever the GC finds it: batches not started are cancelled, those being made (a batch
         * takes milliseconds) are waited for. A cancelled Future does not wait for its task, so the
         * workers' scopes are tracked apart from the Futures.
         */
        void close() {
            closed = true;
            closeStepScope();
            if (workers == null) {
                return;
            }
            workers.shutdown();
            inFlight.forEach(f -> f.cancel(false));
            inFlight.clear();
            try {
                if (!workers.awaitTermination(1, TimeUnit.MINUTES)) {
                    workers.shutdownNow(); // a dataset that hangs: its batch is left to the GC
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // release what is made; the rest is left to the GC
            }
            unclaimed.forEach(MemoryScope::close);
            unclaimed.clear();
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
