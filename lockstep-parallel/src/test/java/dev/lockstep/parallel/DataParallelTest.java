package dev.lockstep.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.nn.BatchNorm1d;
import dev.lockstep.nn.F;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.Adam;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataParallelTest {

    private static List<Device> cpus(int n) {
        return Collections.nCopies(n, Device.CPU);
    }

    /** {@code n} examples of {@code shape}, float64, and class targets in 0..2. */
    private static Tensor[] data(long n, long... shape) {
        Torch.manualSeed(123);
        long[] full = new long[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor x = Tensor.randn(DType.FLOAT64, full).keep();
        long[] classes = Tensor.randperm(n).toLongArray();
        for (int i = 0; i < classes.length; i++) {
            classes[i] %= 3;
        }
        return new Tensor[] {x, Tensor.of(classes, n).keep()};
    }

    /** Trains {@code steps} steps of batch {@code batch} over the data, one memory scope per step. */
    private static void train(Module net, Optimizer opt, Tensor[] data, int batch, int steps) {
        long n = data[0].size(0);
        for (int s = 0; s < steps; s++) {
            try (MemoryScope step = MemoryScope.open()) {
                long from = (long) s * batch % (n - batch + 1);
                Tensor loss = F.crossEntropy(net.forward(data[0].narrow(0, from, batch)), data[1].narrow(0, from, batch));
                opt.zeroGrad();
                loss.backward();
                opt.step();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void mlpTrainsAsOnOneDeviceWithSgd(int replicas) {
        Tensor[] data = data(40, 6);
        Module single = Models.mlp(7);
        Module model = Models.mlp(7);
        train(single, new SGD(single.parameters(), 0.1, 0.9, 1e-4, false), data, 10, 100);
        try (DataParallel dp = DataParallel.of(model, cpus(replicas))) {
            train(dp, new SGD(model.parameters(), 0.1, 0.9, 1e-4, false), data, 10, 100);
        }
        assertTrue(Models.maxRelativeDifference(model, single) <= 1e-5);
        assertTrue(Models.maxRelativeDifference(model, Models.mlp(7)) > 1e-2, "the parameters did train");
    }

    @Test
    void cnnTrainsAsOnOneDeviceWithAdamOverUnevenChunks() {
        Tensor[] data = data(30, 1, 8, 8);
        Module single = Models.cnn(3);
        Module model = Models.cnn(3);
        train(single, new Adam(single.parameters(), 1e-2), data, 10, 100);
        try (DataParallel dp = DataParallel.of(model, cpus(3))) { // 10 → 4, 4, 2
            train(dp, new Adam(model.parameters(), 1e-2), data, 10, 100);
        }
        assertTrue(Models.maxRelativeDifference(model, single) <= 1e-5);
    }

    @Test
    void gradientIsTheSingleDeviceGradient() {
        Tensor[] data = data(7, 6);
        Module single = Models.mlp(5);
        Module model = Models.mlp(5);
        try (DataParallel dp = DataParallel.of(model, cpus(3))) { // 7 → 3, 3, 1
            Tensor expected = single.forward(data[0]);
            Tensor out = dp.forward(data[0]);
            assertArrayEquals(new long[] {7, 3}, out.shape());
            assertTrue(out.maxRelativeDifference(expected) <= 1e-12);
            F.crossEntropy(expected, data[1]).backward();
            F.crossEntropy(out, data[1]).backward();
        }
        assertTrue(Models.maxGradRelativeDifference(model, single) <= 1e-12);
    }

    @Test
    void batchSmallerThanDevicesUsesFewerReplicas() {
        Tensor[] data = data(2, 6);
        Module model = Models.mlp(5);
        try (DataParallel dp = DataParallel.of(model, cpus(3))) {
            Tensor out = dp.forward(data[0]);
            assertArrayEquals(new long[] {2, 3}, out.shape());
            assertTrue(out.maxRelativeDifference(model.forward(data[0])) <= 1e-12);
            assertArrayEquals(new long[] {1, 3}, dp.forward(data[0].narrow(0, 0, 1)).shape());
        }
    }

    @Test
    void oneDeviceCallsThrough() {
        Module model = Models.mlp(5);
        Set<Thread> before = replicaThreads();
        try (DataParallel dp = DataParallel.of(model, cpus(1))) {
            Tensor x = data(4, 6)[0];
            assertArrayEquals(model.forward(x).toDoubleArray(), dp.forward(x).toDoubleArray());
            assertEquals(before, replicaThreads(), "no threads for one device");
        }
    }

    @Test
    void runsLongWithoutLeakingNativeHandles() {
        Tensor[] data = data(40, 6);
        Module single = Models.mlp(9);
        Module model = Models.mlp(9);
        Optimizer singleOpt = new SGD(single.parameters(), 0.05, 0.9, 0, false);
        try (DataParallel dp = DataParallel.of(model, cpus(2))) {
            Optimizer opt = new SGD(model.parameters(), 0.05, 0.9, 0, false);
            train(dp, opt, data, 8, 10);
            train(single, singleOpt, data, 8, 10);
            long handles = Pointer.totalCount();
            train(dp, opt, data, 8, 200);
            assertTrue(Pointer.totalCount() <= handles, "native handles made in replica threads were released");
            train(single, singleOpt, data, 8, 200);
        }
        assertTrue(Models.maxRelativeDifference(model, single) <= 1e-5);
    }

    @Test
    void followsTheCallersGradMode() {
        Module model = Models.mlp(5);
        Tensor x = data(4, 6)[0];
        try (DataParallel dp = DataParallel.of(model, cpus(2))) {
            assertTrue(dp.forward(x).requiresGrad());
            try (NoGrad g = NoGrad.open()) {
                assertFalse(dp.forward(x).requiresGrad());
            }
        }
    }

    @Test
    void replicasShareTheCoresAndTheCallerKeepsItsThreads() {
        int callerThreads = Torch.numThreads();
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        Module probe = new Module() {
            final Linear fc = registerModule("fc", new Linear(6, 3));

            @Override
            public Tensor forward(Tensor input) {
                seen.add(Torch.numThreads());
                return fc.forward(input);
            }
        };
        try (DataParallel dp = DataParallel.of(Models.toDouble(probe), cpus(2))) {
            dp.forward(data(4, 6)[0]);
        }
        assertEquals(Set.of(Math.max(1, callerThreads / 2)), seen);
        assertEquals(callerThreads, Torch.numThreads());
        int[] later = new int[1];
        Thread t = new Thread(() -> later[0] = Torch.numThreads());
        t.start();
        join(t);
        assertEquals(callerThreads, later[0], "threads started later get the caller's setting");
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void stateDictHasTheWrappedModulesNames() {
        Module model = Models.mlp(5);
        try (DataParallel dp = DataParallel.of(model, cpus(2))) {
            assertEquals(List.copyOf(model.stateDict().keySet()), List.copyOf(dp.stateDict().keySet()));
            Module fresh = Models.mlp(6);
            fresh.loadStateDict(dp.stateDict());
            assertEquals(0, Models.maxRelativeDifference(fresh, model));
            dp.loadStateDict(Models.mlp(8).stateDict());
            assertEquals(0, Models.maxRelativeDifference(model, Models.mlp(8)));
        }
    }

    /** A layer with a buffer updated in forward, as BatchNorm's running mean. */
    private static final class RunningMean extends Module {
        final Tensor running = registerBuffer("running", Tensor.zeros(DType.FLOAT64, 6));

        @Override
        public Tensor forward(Tensor input) {
            if (isTraining()) {
                try (NoGrad g = NoGrad.open()) {
                    running.copyFrom(running.mul(0.9).add(input.mean(0, false).mul(0.1)));
                }
            }
            return input.mul(2);
        }
    }

    @Test
    void onlyTheFirstReplicasBufferUpdatesAreKeptAsInPyTorch() {
        Tensor x = data(6, 6)[0];
        RunningMean model = new RunningMean();
        try (DataParallel dp = DataParallel.of(model, cpus(3))) {
            Tensor out = dp.forward(x);
            assertTrue(out.maxRelativeDifference(x.mul(2)) <= 1e-15);
            Tensor expected = x.narrow(0, 0, 2).mean(0, false).mul(0.1);
            assertTrue(model.running.maxRelativeDifference(expected) <= 1e-15);
            dp.eval();
            assertFalse(model.isTraining());
            dp.forward(x);
            assertTrue(model.running.maxRelativeDifference(expected) <= 1e-15, "eval reads buffers only");
        }
    }

    @Test
    void batchNormTrainsOnSharedReplicasKeepingTheFirstReplicasRunningStats() {
        Tensor[] data = data(8, 6);
        Torch.manualSeed(3);
        Module single = new Sequential(new Linear(6, 4).to(DType.FLOAT64), new BatchNorm1d(4).to(DType.FLOAT64));
        Module model = new Sequential(new Linear(6, 4).to(DType.FLOAT64), new BatchNorm1d(4).to(DType.FLOAT64));
        model.loadStateDict(single.stateDict());
        try (DataParallel dp = DataParallel.of(model, cpus(2))) {
            dp.forward(data[0]).pow(2).sum().backward();
        }
        single.forward(data[0].narrow(0, 0, 4)); // replica 0's chunk: its running stats are kept
        assertEquals(0, Models.maxRelativeDifference(model, single), "parameters are untouched before a step");
        single.namedBuffers().forEach((name, b) ->
                assertTrue(b.maxRelativeDifference(model.namedBuffers().get(name)) <= 1e-15, name));
        model.parameters().forEach(p -> assertTrue(p.grad() != null && p.grad().abs().sum().item() > 0));
    }

    @Test
    void replicaErrorsReachTheCaller() {
        try (DataParallel dp = DataParallel.of(Models.mlp(5), cpus(2))) {
            Tensor wrongWidth = Tensor.zeros(DType.FLOAT64, 4, 5);
            assertThrows(RuntimeException.class, () -> dp.forward(wrongWidth));
            assertArrayEquals(new long[] {4, 3}, dp.forward(data(4, 6)[0]).shape(), "still usable");
        }
    }

    @Test
    void closeStopsTheReplicaThreads() {
        Set<Thread> before = replicaThreads();
        DataParallel dp = DataParallel.of(Models.mlp(5), cpus(2));
        dp.forward(data(4, 6)[0]);
        Set<Thread> mine = replicaThreads();
        mine.removeAll(before);
        assertEquals(2, mine.size());
        dp.close();
        assertTrue(mine.stream().noneMatch(Thread::isAlive));
        assertThrows(IllegalStateException.class, () -> dp.forward(data(4, 6)[0]));
    }

    private static Set<Thread> replicaThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(ReplicaPool.THREAD_PREFIX) && t.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void rejectsEmptyAndMixedDeviceLists() {
        assertThrows(IllegalArgumentException.class, () -> DataParallel.of(Models.mlp(5), List.of()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> DataParallel.of(Models.mlp(5), List.of(Device.CPU, Device.cuda(0))));
        assertTrue(e.getMessage().contains("mix"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataParallel.of(Models.mlp(5), "cpu,npu"));
    }

    @Test
    void parameterSwapRoutesGradientsToTheOriginals() {
        Tensor x = data(4, 6)[0];
        Module single = Models.mlp(5);
        Module model = Models.mlp(5);
        // t.mul(1) is a differentiable copy, standing in for param.to(device) on a machine without GPUs.
        Tensor out = ParameterSwap.forward(model, t -> t.mul(1.0), x);
        assertTrue(out.maxRelativeDifference(single.forward(x)) <= 1e-15);
        out.sum().backward();
        single.forward(x).sum().backward();
        assertTrue(Models.maxGradRelativeDifference(model, single) <= 1e-15);
        assertTrue(model.parameters().stream().allMatch(p -> p.unwrap().is_leaf()), "originals restored");
    }

    @Test
    void cudaReplicasTrainAsOneDevice() {
        assumeTrue(Torch.cudaDeviceCount() >= 2, "needs two CUDA devices");
        Tensor[] data = data(7, 6);
        Module single = Models.mlp(5).to(Device.cuda(0));
        Module model = Models.mlp(5);
        try (DataParallel dp = DataParallel.of(model, List.of(Device.cuda(0), Device.cuda(1)))) {
            Tensor x = data[0].to(Device.cuda(0));
            Tensor y = data[1].to(Device.cuda(0));
            Tensor out = dp.forward(x);
            assertEquals(Device.cuda(0), out.device());
            F.crossEntropy(single.forward(x), y).backward();
            F.crossEntropy(out, y).backward();
        }
        assertTrue(Models.maxGradRelativeDifference(model, single) <= 1e-10);
    }
}
