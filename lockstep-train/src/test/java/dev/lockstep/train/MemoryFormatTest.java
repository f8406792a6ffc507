package dev.lockstep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.Subset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.models.ModelKind;
import dev.lockstep.models.SimpleCNN;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.Adam;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Channels-last inputs and weights change where the CNN's time goes, not what it learns. */
class MemoryFormatTest {
    private static final Path MNIST_DIR = Path.of("..", "data", "mnist");

    @Test
    void theCnnTrainsToTheSameLossesInEitherLayout() throws IOException {
        EpochMetrics contiguous = fit(MemoryFormat.CONTIGUOUS);
        EpochMetrics channelsLast = fit(MemoryFormat.CHANNELS_LAST);
        assertEquals(contiguous.trainLoss(), channelsLast.trainLoss(), 1e-5 * contiguous.trainLoss());
        assertEquals(contiguous.testLoss(), channelsLast.testLoss(), 1e-5 * contiguous.testLoss());
        assertEquals(contiguous.testAccuracy(), channelsLast.testAccuracy());
    }

    @Test
    void theCnnRecipeFeedsChannelsLastOnTheCpuOnly() {
        assertEquals(MemoryFormat.CHANNELS_LAST, ModelKind.CNN.memoryFormat(Device.CPU));
        assertEquals(MemoryFormat.CONTIGUOUS, ModelKind.CNN.memoryFormat(Device.cuda(0)));
        assertEquals(MemoryFormat.CONTIGUOUS, ModelKind.MLP.memoryFormat(Device.CPU));
    }

    /**
     * Two epochs of the seed CNN on 512 training and 256 test images from the same seed; checks
     * that every input the model saw was laid out in {@code format}.
     */
    private static EpochMetrics fit(MemoryFormat format) throws IOException {
        var train = Subset.first(MNIST.train(MNIST_DIR, ModelKind.CNN.transform()), 512);
        var test = Subset.first(MNIST.test(MNIST_DIR, ModelKind.CNN.transform()), 256);
        Torch.manualSeed(7);
        var model = new Recording();
        TrainingResult result = Trainer.builder().epochs(2).batchSize(64).logInterval(0).log(s -> { })
                .memoryFormat(format).build()
                .fit(model, new CrossEntropyLoss(), new Adam(model.parameters(), 1e-3), train, test);
        assertEquals(List.of(format), List.copyOf(model.seen), "layouts of the model's inputs");
        for (Tensor p : model.parameters()) {
            if (p.dim() == 4) {
                assertTrue(p.isContiguous(format), "convolution weights laid out as the inputs");
            }
        }
        return result.epochs().get(1);
    }

    /** The seed CNN, noting the layout of each input. */
    private static final class Recording extends Module {
        final SimpleCNN cnn = registerModule("cnn", new SimpleCNN());
        final Set<MemoryFormat> seen = new HashSet<>();

        @Override
        public Tensor forward(Tensor x) {
            seen.add(x.isContiguous(MemoryFormat.CHANNELS_LAST) ? MemoryFormat.CHANNELS_LAST : MemoryFormat.CONTIGUOUS);
            return cnn.forward(x);
        }
    }
}
