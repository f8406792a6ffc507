package dev.lockstep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataLoaderTest {
    private final List<DataLoader> loaders = new ArrayList<>();

    /** A loader closed after the test, so a failed assertion mid-epoch leaves no scope open for the next test. */
    private DataLoader open(DataLoader.Builder builder) {
        DataLoader loader = builder.build();
        loaders.add(loader);
        return loader;
    }

    @AfterEach
    void closeLoaders() {
        loaders.forEach(DataLoader::close);
    }

    /** Example i has input [i, -i] (float) and target i, so a batch's targets name its indices. */
    private static TensorDataset dataset(int n) {
        Tensor idx = Tensor.arange(n).to(DType.FLOAT32).reshape(n, 1);
        return new TensorDataset(Tensor.cat(1, idx, idx.neg()), Tensor.arange(n));
    }

    private static List<long[]> targetsOfEpoch(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) {
            out.add(b.target().toLongArray());
        }
        return out;
    }

    private static long[] concat(List<long[]> batches) {
        return batches.stream().flatMapToLong(LongStream::of).toArray();
    }

    private static long[] sorted(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    @Test
    void batchesInOrderWithPartialLastBatch() {
        DataLoader loader = open(DataLoader.builder(dataset(10)).batchSize(4));
        List<long[]> batches = targetsOfEpoch(loader);
        assertEquals(3, loader.numBatches());
        assertEquals(10, loader.numSamples());
        assertEquals(3, batches.size());
        assertArrayEquals(new long[] {0, 1, 2, 3}, batches.get(0));
        assertArrayEquals(new long[] {4, 5, 6, 7}, batches.get(1));
        assertArrayEquals(new long[] {8, 9}, batches.get(2));
    }

    @Test
    void batchHoldsInputsAndTargetsOfTheSameExamples() {
        DataLoader loader = open(DataLoader.builder(dataset(10)).batchSize(3).shuffle(true).seed(1));
        for (Batch b : loader) {
            assertEquals(b.target().numel(), b.size());
            assertArrayEquals(new long[] {b.size(), 2}, b.input().shape());
            long[] t = b.target().toLongArray();
            float[] x = b.input().toFloatArray();
            for (int i = 0; i < t.length; i++) {
                assertEquals(t[i], x[2 * i], 0.0);
                assertEquals(-t[i], x[2 * i + 1], 0.0);
            }
        }
    }

    @Test
    void aBatchSizeNearIntegerMaxTakesTheWholeDataset() {
        for (int batchSize : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 4}) {
            DataLoader loader = open(DataLoader.builder(dataset(10)).batchSize(batchSize));
            assertEquals(1, loader.numBatches());
            List<long[]> batches = targetsOfEpoch(loader);
            assertEquals(1, batches.size());
            assertArrayEquals(LongStream.range(0, 10).toArray(), batches.get(0));
        }
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader loader = open(DataLoader.builder(dataset(10)).batchSize(4).dropLast(true));
        List<long[]> batches = targetsOfEpoch(loader);
        assertEquals(2, loader.numBatches());
        assertEquals(List.of(4, 4), batches.stream().map(b -> b.length).toList());

        DataLoader tooSmall = open(DataLoader.builder(dataset(3)).batchSize(4).dropLast(true));
        assertEquals(0, tooSmall.numBatches());
        assertFalse(tooSmall.iterator().hasNext());
    }

    @Test
    void seededShuffleRepeatsAcrossRunsAndChangesAcrossEpochs() {
        int n = 100;
        DataLoader a = open(DataLoader.builder(dataset(n)).batchSize(16).shuffle(true).seed(7));
        DataLoader b = open(DataLoader.builder(dataset(n)).batchSize(16).shuffle(true).seed(7));
        long[] a0 = concat(targetsOfEpoch(a));
        long[] a1 = concat(targetsOfEpoch(a));
        assertArrayEquals(a0, concat(targetsOfEpoch(b)));
        assertArrayEquals(a1, concat(targetsOfEpoch(b)));
        assertFalse(Arrays.equals(a0, a1), "epochs 0 and 1 have the same order");

        long[] identity = LongStream.range(0, n).toArray();
        assertFalse(Arrays.equals(identity, a0), "shuffle left the order unchanged");
        for (long[] order : List.of(a0, a1)) {
            assertArrayEquals(identity, sorted(order), "an epoch must visit every index exactly once");
        }

        a.setEpoch(0);
        assertArrayEquals(a0, concat(targetsOfEpoch(a)));
        DataLoader otherSeed = open(DataLoader.builder(dataset(n)).batchSize(16).shuffle(true).seed(8));
        assertFalse(Arrays.equals(a0, concat(targetsOfEpoch(otherSeed))));
    }

    @Test
    void workersGiveTheSameBatchesInTheSameOrder() {
        TensorDataset data = dataset(53);
        DataLoader serial = open(DataLoader.builder(data).batchSize(5).shuffle(true).seed(3));
        DataLoader parallel = open(DataLoader.builder(data).batchSize(5).shuffle(true).seed(3).numWorkers(2));
        for (int epoch = 0; epoch < 2; epoch++) {
            Iterator<Batch> s = serial.iterator();
            Iterator<Batch> p = parallel.iterator();
            int batches = 0;
            while (s.hasNext()) {
                assertTrue(p.hasNext());
                Batch x = s.next();
                Batch y = p.next();
                assertArrayEquals(x.input().toFloatArray(), y.input().toFloatArray());
                assertArrayEquals(x.target().toLongArray(), y.target().toLongArray());
                batches++;
            }
            assertFalse(p.hasNext());
            assertEquals(11, batches);
        }
    }

    @ParameterizedTest(name = "numWorkers={0}")
    @ValueSource(ints = {0, 2})
    void batchTensorsAreReleasedWhenTheNextBatchIsRequestedUnlessKept(int numWorkers) {
        DataLoader loader = open(DataLoader.builder(dataset(12)).batchSize(4).numWorkers(numWorkers));
        Tensor kept = null;
        Batch previous = null;
        Tensor previousDerived = null;
        for (Batch batch : loader) {
            if (previous != null) {
                assertThrows(IllegalStateException.class, previous.input()::shape);
                assertThrows(IllegalStateException.class, previous.target()::shape);
                assertThrows(IllegalStateException.class, previousDerived::shape);
            }
            if (kept == null) {
                kept = batch.target().mul(10).keep();
            }
            previous = batch;
            previousDerived = batch.input().add(1);
        }
        assertThrows(IllegalStateException.class, previous.input()::shape, "the epoch's end releases the last batch");
        assertArrayEquals(new long[] {0, 10, 20, 30}, kept.toLongArray());
    }

    @ParameterizedTest(name = "numWorkers={0}")
    @ValueSource(ints = {0, 2})
    void leavingALoopEarlyThenStartingAnEpochWorks(int numWorkers) {
        DataLoader loader = open(DataLoader.builder(dataset(20)).batchSize(3).numWorkers(numWorkers));
        Iterator<Batch> abandoned = loader.iterator();
        assertArrayEquals(new long[] {0, 1, 2}, abandoned.next().target().toLongArray());
        loader.close();
        Tensor madeAfterTheLoop = Tensor.arange(3);

        assertEquals(LongStream.range(0, 20).boxed().toList(),
                LongStream.of(concat(targetsOfEpoch(loader))).boxed().toList());
        assertEquals(3, madeAfterTheLoop.numel(), "close() must end the abandoned step's scope");
        assertFalse(abandoned.hasNext(), "an iterator of an ended epoch has nothing more");
        assertThrows(NoSuchElementException.class, abandoned::next);

        // Without close(), starting the next epoch ends the abandoned one.
        for (Batch b : loader) {
            assertEquals(3, b.size());
            break;
        }
        assertEquals(7, targetsOfEpoch(loader).size());
    }

    @Test
    void closingAnEpochEarlyReleasesEveryBatchTheWorkersMade() {
        List<Batch> made = java.util.Collections.synchronizedList(new ArrayList<>());
        DataLoader loader = open(DataLoader.builder(recording(40, made::add)).batchSize(2).numWorkers(2));
        loader.iterator().next();
        loader.close();
        assertTrue(made.size() >= 1, "the workers made batches");
        for (Batch b : List.copyOf(made)) {
            assertThrows(IllegalStateException.class, b.input()::shape, "a prefetched batch outlived close()");
        }
    }

    /**
     * The race the test above can only hit by chance, forced: close() comes while a worker is
     * making a batch, and must wait for it and release it rather than drop its Future.
     */
    @Test
    void closingWhileAWorkerMakesABatchWaitsForItAndReleasesIt() throws Exception {
        List<Batch> made = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Dataset held = recording(40, b -> {
            made.add(b);
            if (made.size() == 2) { // the first batch after the one handed out
                making.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        DataLoader loader = open(DataLoader.builder(held).batchSize(2).numWorkers(1));
        loader.iterator().next();
        assertTrue(making.await(1, TimeUnit.MINUTES), "the worker started a second batch");
        Thread closer = new Thread(loader::close);
        closer.start();
        while (closer.getState() != Thread.State.TIMED_WAITING && closer.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait(); // until close() waits for the worker, or has returned without waiting
        }
        proceed.countDown();
        closer.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(closer.isAlive(), "close() returned");
        assertEquals(2, made.size(), "batches queued behind the held one were cancelled");
        assertThrows(IllegalStateException.class, made.get(1).input()::shape,
                "the batch being made when close() came outlived it");
    }

    /** {@link #dataset} of {@code n} examples that shows each batch it makes to {@code onMake}, on the thread making it. */
    private static Dataset recording(int n, Consumer<Batch> onMake) {
        TensorDataset data = dataset(n);
        return new Dataset() {
            @Override
            public long size() {
                return data.size();
            }

            @Override
            public Batch get(long[] indices) {
                Batch b = data.get(indices);
                onMake.accept(b);
                return b;
            }
        };
    }

    /** Fails on the batch holding example 5. */
    private static Dataset failingAtFive() {
        TensorDataset data = dataset(20);
        return new Dataset() {
            @Override
            public long size() {
                return data.size();
            }

            @Override
            public Batch get(long[] indices) {
                if (LongStream.of(indices).anyMatch(i -> i == 5)) {
                    throw new IllegalArgumentException("example 5 is unreadable");
                }
                return data.get(indices);
            }
        };
    }

    @Test
    void aWorkerFailureSurfacesWithItsMessage() {
        DataLoader loader = open(DataLoader.builder(failingAtFive()).batchSize(2).numWorkers(2));
        Iterator<Batch> it = loader.iterator();
        assertArrayEquals(new long[] {0, 1}, it.next().target().toLongArray());
        assertArrayEquals(new long[] {2, 3}, it.next().target().toLongArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertTrue(e.getMessage().contains("example 5 is unreadable"), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertFalse(it.hasNext(), "a failed epoch is over");

        Tensor madeAfterTheFailure = Tensor.arange(3);
        loader.iterator();
        assertEquals(3, madeAfterTheFailure.numel(), "the failed step's scope must be closed by the failure");
    }

    @Test
    void aFailureWithoutWorkersPropagatesAsIs() {
        DataLoader loader = open(DataLoader.builder(failingAtFive()).batchSize(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> targetsOfEpoch(loader));
        assertEquals("example 5 is unreadable", e.getMessage());

        Tensor madeAfterTheFailure = Tensor.arange(3);
        loader.iterator();
        assertEquals(3, madeAfterTheFailure.numel());
    }

    @Test
    void customSamplerChoosesTheOrder() {
        Sampler reversed = epoch -> LongStream.range(0, 5).map(i -> 4 - i).toArray();
        DataLoader loader = open(DataLoader.builder(dataset(5)).batchSize(2).sampler(reversed).shuffle(true));
        assertArrayEquals(new long[] {4, 3, 2, 1, 0}, concat(targetsOfEpoch(loader)));
        assertEquals(5, loader.numSamples()); // a sampler without its own length counts its indices
        assertEquals(3, loader.numBatches());
    }

    @Test
    void samplerLengthsMatchTheirIndices() {
        assertEquals(new RandomSampler(37, 3).indices(2).length, new RandomSampler(37, 3).length(2));
        assertEquals(37, new SequentialSampler(37).length(0));
    }

    @Test
    void rejectsBadOptions() {
        DataLoader.Builder b = DataLoader.builder(dataset(2));
        assertThrows(IllegalArgumentException.class, () -> b.batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.numWorkers(-1));
    }

    @Test
    void waitingForAWorkersBatchIsMeasured() throws Exception {
        CountDownLatch inGet = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        TensorDataset data = dataset(4);
        Dataset gated = new Dataset() {
            public long size() {
                return data.size();
            }

            public Batch get(long[] indices) {
                inGet.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return data.get(indices);
            }
        };
        DataLoader loader = open(DataLoader.builder(gated).batchSize(4).numWorkers(1));
        Iterator<Batch> it = loader.iterator();
        long[] opened = new long[1];
        Thread opener = new Thread(() -> {
            try {
                inGet.await();
            } catch (InterruptedException e) {
                return;
            }
            long until = System.nanoTime() + 20_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // time passes while the consumer is blocked
            }
            opened[0] = System.nanoTime();
            gate.countDown();
        });
        opener.start();
        long asked = System.nanoTime();
        assertArrayEquals(new long[] {0, 1, 2, 3}, it.next().target().toLongArray());
        opener.join();
        assertTrue(loader.waitNanos() >= opened[0] - asked, loader.waitNanos() + " ns measured, blocked for at least "
                + (opened[0] - asked));
    }

    @Test
    void withoutWorkersLoadingIsWaiting() {
        long[] inGet = new long[1];
        TensorDataset data = dataset(8);
        Dataset timed = new Dataset() {
            public long size() {
                return data.size();
            }

            public Batch get(long[] indices) {
                long t = System.nanoTime();
                Batch b = data.get(indices);
                inGet[0] += System.nanoTime() - t;
                return b;
            }
        };
        DataLoader loader = open(DataLoader.builder(timed).batchSize(2));
        assertEquals(4, targetsOfEpoch(loader).size());
        assertTrue(inGet[0] > 0 && loader.waitNanos() >= inGet[0], loader.waitNanos() + " < " + inGet[0]);
    }
}
