package dev.lockstep.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomCropTest {
    private static final int N = 5;
    private static final int C = 2;
    private static final int H = 4;
    private static final int W = 3;

    @Test
    void eachImageIsItsPaddedCopyCroppedAtTheOffsetOfItsDraw() {
        float[] pixels = new float[N * C * H * W];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i + 1;
        }
        long[] draws = new SplittableRandom(3).longs(N).toArray();
        draws[0] = 0L; // offset (0, 0): shifted 2 down and 2 right
        draws[1] = 2L | 2L << 32; // offset (2, 2): unchanged
        float[] out = new RandomCrop(2, -7).apply(Tensor.of(pixels, N, C, H, W), draws).toFloatArray();
        assertArrayEquals(expected(pixels, draws, 2, -7), out);
        for (int i = 0; i < C * H * W; i++) {
            float v = out[C * H * W + i];
            assertTrue(v == pixels[C * H * W + i], "offset (2, 2) leaves image 1 as it was");
        }
        assertTrue(out[0] == -7 && out[W * 2 + 2] == pixels[0], "offset (0, 0) moves pixel (0, 0) to (2, 2)");
    }

    @Test
    void rejectsNoPaddingAndBatchesThatAreNotImages() {
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(1, Double.NaN));
        RandomCrop crop = new RandomCrop(1, 0);
        assertThrows(IllegalArgumentException.class, () -> crop.apply(Tensor.zeros(DType.FLOAT32, 2, 3, 3), new long[2]));
        assertThrows(IllegalArgumentException.class, () -> crop.apply(Tensor.zeros(DType.FLOAT32, 2, 1, 3, 3), new long[3]));
    }

    /** The crop written out pixel by pixel. */
    private static float[] expected(float[] pixels, long[] draws, int padding, float fill) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < N; i++) {
            int dy = (int) ((draws[i] & 0xFFFFFFFFL) % (2L * padding + 1));
            int dx = (int) ((draws[i] >>> 32) % (2L * padding + 1));
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int sy = y + dy - padding;
                        int sx = x + dx - padding;
                        boolean inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                        out[((i * C + c) * H + y) * W + x] = inside ? pixels[((i * C + c) * H + sy) * W + sx] : fill;
                    }
                }
            }
        }
        return out;
    }
}
