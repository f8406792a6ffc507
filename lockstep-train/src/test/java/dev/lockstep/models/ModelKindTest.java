package dev.lockstep.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.datasets.MNIST;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The recipes on the bundled MNIST: the CNN trains on images shifted by up to a pixel, the others on the images as they are. */
class ModelKindTest {
    private static final Path MNIST_DIR = Path.of("..", "data", "mnist");
    private static final long[] FIRST = LongStream.range(0, 32).toArray();

    @Test
    void theCnnsTrainingImagesAreShiftedByUpToOnePixelOverBlackAndItsTestImagesAreNot() throws IOException {
        Dataset[] cnn = ModelKind.CNN.datasets(MNIST_DIR, 1);
        MNIST plain = MNIST.train(MNIST_DIR, ModelKind.CNN.transform());
        float[] original = plain.get(FIRST).input().toFloatArray();
        float black = (float) ((0 - 0.1307) / 0.3081);
        int shifted = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            Batch b = cnn[0].get(FIRST, epoch);
            assertArrayEquals(plain.get(FIRST).target().toLongArray(), b.target().toLongArray());
            float[] cropped = b.input().toFloatArray();
            for (int i = 0; i < FIRST.length; i++) {
                int[] offset = shiftOf(original, cropped, i, black);
                assertTrue(offset != null, "image " + i + " of epoch " + epoch + " is not a shift by at most one pixel");
                shifted += offset[0] == 0 && offset[1] == 0 ? 0 : 1;
            }
        }
        assertTrue(shifted > FIRST.length, shifted + " of " + 2 * FIRST.length + " images shifted (8 in 9 expected)");
        assertArrayEquals(MNIST.test(MNIST_DIR, ModelKind.CNN.transform()).get(FIRST).input().toFloatArray(),
                cnn[1].get(FIRST).input().toFloatArray());
        assertEquals("cosine", ModelKind.CNN.lrSchedule());
    }

    @Test
    void theOtherSeedsTrainOnTheirImagesAsTheyAreWithAConstantRate() throws IOException {
        for (ModelKind kind : new ModelKind[] {ModelKind.MLP, ModelKind.SIMPLENN}) {
            assertArrayEquals(MNIST.train(MNIST_DIR, kind.transform()).get(FIRST).input().toFloatArray(),
                    kind.datasets(MNIST_DIR, 1)[0].get(FIRST, 3).input().toFloatArray());
            assertEquals(0, kind.cropPadding());
            assertEquals("constant", kind.lrSchedule());
        }
    }

    /** The (dy, dx) in [-1, 1]² by which image {@code i} moved, with black filling what came in; null if none fits. */
    private static int[] shiftOf(float[] original, float[] cropped, int i, float black) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                boolean fits = true;
                for (int y = 0; y < 28 && fits; y++) {
                    for (int x = 0; x < 28 && fits; x++) {
                        int sy = y - dy;
                        int sx = x - dx;
                        float expected = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? original[i * 784 + sy * 28 + sx] : black;
                        fits = Math.abs(cropped[i * 784 + y * 28 + x] - expected) < 1e-6f;
                    }
                }
                if (fits) {
                    return new int[] {dy, dx};
                }
            }
        }
        return null;
    }
}
