package dev.lockstep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.models.SimpleCNN;
import dev.lockstep.models.TwoLayerNet;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.SGD;
import dev.lockstep.parallel.DataParallelStrategy;
import dev.lockstep.parallel.SingleDevice;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenBLAS threads a fit runs with, read by a listener while it trains and restored after it,
 * and the loader workers chosen with them.
 */
class CpuThreadsTest {
    private static final int CALLERS = 3; // neither count a fit chooses here

    @BeforeEach
    void setUp() {
        Torch.setNumThreads(2);
        Torch.setBlasThreads(CALLERS);
    }

    @AfterEach
    void tearDown() {
        Torch.setNumThreads(1);
        Torch.setBlasThreads(1);
    }

    @Test
    void modelOfMatrixProductsGetsLibtorchsThreads() {
        assertEquals(2, blasThreadsDuringFit(new TwoLayerNet(784, 8, 10), new SingleDevice(Device.CPU), b -> b));
    }

    @Test
    void modelWithConvolutionsGetsOne() {
        assertEquals(1, blasThreadsDuringFit(new SimpleCNN(), new SingleDevice(Device.CPU), b -> b));
    }

    @Test
    void severalReplicasInOneProcessGetOne() {
        try (Strategy dp = new DataParallelStrategy(List.of(Device.CPU, Device.CPU))) {
            assertEquals(1, blasThreadsDuringFit(new TwoLayerNet(784, 8, 10), dp, b -> b));
        }
    }

    @Test
    void anExplicitCountWins() {
        assertEquals(4, blasThreadsDuringFit(new SimpleCNN(), new SingleDevice(Device.CPU), b -> b.blasThreads(4)));
    }

    @Test
    void loadersPrefetchOnOneWorkerUnlessOpenBlasHasSeveralThreads() {
        Strategy single = new SingleDevice(Device.CPU);
        assertEquals(new CpuThreads(2, 0), CpuThreads.choose(new TwoLayerNet(4, 4, 2), single, -1, -1));
        assertEquals(new CpuThreads(1, 1), CpuThreads.choose(new SimpleCNN(), single, -1, -1));
        assertEquals(new CpuThreads(1, 1), CpuThreads.choose(new TwoLayerNet(4, 4, 2), single, 1, -1));
        assertEquals(new CpuThreads(2, 3), CpuThreads.choose(new TwoLayerNet(4, 4, 2), single, -1, 3));
    }

    @Test
    void aModelOnAGpuKeepsOneOpenBlasThreadAndPrefetches() {
        Strategy gpu = new SingleDevice(Device.cuda(0)); // choose reads only where batches go: no GPU needed
        assertEquals(new CpuThreads(1, 1), CpuThreads.choose(new TwoLayerNet(4, 4, 2), gpu, -1, -1));
    }

    /** Fits {@code model} for a step on 8 MNIST-shaped examples; checks the caller's count is back. */
    private static int blasThreadsDuringFit(Module model, Strategy strategy, UnaryOperator<Trainer.Builder> options) {
        Torch.manualSeed(0);
        Tensor x = Tensor.rand(DType.FLOAT32, 8, 1, 28, 28);
        Tensor y = Tensor.zeros(DType.INT64, 8);
        int[] seen = new int[1];
        TrainingListener probe = new TrainingListener() {
            @Override
            public void onEpochStart(int epoch) {
                seen[0] = Torch.blasThreads();
            }
        };
        options.apply(Trainer.builder().strategy(strategy).batchSize(8).logInterval(0).numWorkers(0).log(s -> { })
                .listener(probe)).build().fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1),
                new TensorDataset(x, y), new TensorDataset(x, y));
        assertEquals(CALLERS, Torch.blasThreads(), "the caller's BLAS threads after fit");
        return seen[0];
    }
}
