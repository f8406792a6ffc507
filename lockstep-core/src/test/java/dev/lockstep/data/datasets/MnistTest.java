package dev.lockstep.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.data.transforms.Normalize;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real MNIST bundled in data/mnist. */
class MnistTest {
    private static final long[] TRAIN_COUNTS = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    private static final long[] TEST_COUNTS = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    private static long[] labelCounts(MNIST data) {
        long[] counts = new long[MNIST.CLASSES];
        for (long label : data.targets().toLongArray()) {
            counts[(int) label]++;
        }
        return counts;
    }

    @Test
    void trainSetHasSixtyThousandImagesInZeroToOne() throws IOException {
        MNIST train = MNIST.train(BundledMnist.dir(), new ToTensor());
        assertEquals(60_000, train.size());
        assertArrayEquals(new long[] {60_000, 1, 28, 28}, train.inputs().shape());
        assertEquals(DType.FLOAT32, train.inputs().dtype());
        assertEquals(DType.INT64, train.targets().dtype());
        assertArrayEquals(TRAIN_COUNTS, labelCounts(train));
        assertEquals(0.0, train.inputs().min().item());
        assertEquals(1.0, train.inputs().max().item());
    }

    @Test
    void testSetNormalizedToMinusOneToOne() throws IOException {
        MNIST test = MNIST.test(BundledMnist.dir(), Transform.compose(new ToTensor(), new Normalize(0.5, 0.5)));
        assertEquals(10_000, test.size());
        assertArrayEquals(new long[] {10_000, 1, 28, 28}, test.inputs().shape());
        assertArrayEquals(TEST_COUNTS, labelCounts(test));
        assertEquals(-1.0, test.inputs().min().item());
        assertEquals(1.0, test.inputs().max().item());
    }

    @Test
    void readsUncompressedFilesTheSameAsGzipped(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(BundledMnist.dir().resolve(name + ".gz")))) {
                Files.copy(in, dir.resolve(name));
            }
        }
        Transform raw = x -> x; // the uint8 pixels, compared exactly
        MNIST plain = MNIST.test(dir, raw);
        MNIST gzipped = MNIST.test(BundledMnist.dir(), raw);
        assertEquals(DType.UINT8, plain.inputs().dtype());
        assertArrayEquals(gzipped.inputs().toBytes(), plain.inputs().toBytes());
        assertArrayEquals(gzipped.targets().toLongArray(), plain.targets().toLongArray());
    }
}
