package dev.lockstep.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The transforms compute in place on tensors they made: values as torchvision's, inputs untouched. */
class ToTensorNormalizeTest {
    private static final byte[] PIXELS = {0, 1, 51, (byte) 128, (byte) 200, (byte) 255};

    @Test
    void toTensorScalesBytesToZeroOneAndLeavesThemAsTheyWere() {
        Tensor bytes = Tensor.ofUnsignedBytes(PIXELS.clone(), 1, 1, 2, 3);
        Tensor out = new ToTensor().apply(bytes);
        assertEquals(DType.FLOAT32, out.dtype());
        float[] expected = new float[PIXELS.length];
        for (int i = 0; i < PIXELS.length; i++) {
            expected[i] = (float) (PIXELS[i] & 0xFF) / 255f;
        }
        assertArrayEquals(expected, out.toFloatArray());
        assertArrayEquals(new float[] {0, 1, 51, 128, 200, 255}, bytes.to(DType.FLOAT32).toFloatArray());
    }

    @Test
    void toTensorOfFloatsDividesACopy() {
        Tensor floats = Tensor.of(new float[] {0, 127.5f, 255}, 1, 1, 1, 3);
        assertArrayEquals(new float[] {0, 0.5f, 1}, new ToTensor().apply(floats).toFloatArray());
        assertArrayEquals(new float[] {0, 127.5f, 255}, floats.toFloatArray());
    }

    @Test
    void normalizeSubtractsThenDividesAndLeavesItsInputAsItWas() {
        float[] x = {0f, 0.25f, 0.1307f, 1f};
        Tensor in = Tensor.of(x.clone(), 1, 1, 2, 2);
        float[] out = new Normalize(0.1307, 0.3081).apply(in).toFloatArray();
        for (int i = 0; i < x.length; i++) {
            float expected = (x[i] - 0.1307f) / 0.3081f; // float32 arithmetic, as libtorch's ops
            assertEquals(expected, out[i], Math.ulp(expected), "element " + i);
        }
        assertArrayEquals(in.sub(0.1307).div(0.3081).toFloatArray(), out, "in place: the bits of the two-op form");
        assertArrayEquals(x, in.toFloatArray());
    }

    @Test
    void toTensorThenNormalizeGivesTheOutOfPlaceBitsAndLeavesTheBytes() {
        Tensor bytes = Tensor.ofUnsignedBytes(PIXELS.clone(), 1, 1, 2, 3);
        float[] expected = bytes.to(DType.FLOAT32).div(255.0).sub(0.1307).div(0.3081).toFloatArray();
        Normalize normalize = new Normalize(0.1307, 0.3081);
        assertArrayEquals(expected, new ToTensor().andThen(normalize).apply(bytes).toFloatArray());
        assertArrayEquals(expected, Transform.compose(new ToTensor(), normalize).apply(bytes).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 51, 128, 200, 255}, bytes.to(DType.FLOAT32).toFloatArray());
    }
}
