package dev.lockstep.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {


    @Test
    void aGradientHandleOutlivesClearingTheParametersGradient() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        w.mul(3).sum().backward();
        Tensor g = w.grad();
        w.clearGrad();
        assertArrayEquals(new float[] {3, 3}, g.toFloatArray());
        w.mul(5).sum().backward();
        assertArrayEquals(new float[] {3, 3}, g.toFloatArray(), "a new backward fills a new gradient, not this one");
    }

    @Test
    void findsANonFiniteElementWhereverItIs() {
        int n = 200_000; // past libtorch's grain, so the reduction runs in chunks
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, n / 2, n - 1}) {
                float[] x = new float[n];
                Arrays.fill(x, -2.5f);
                x[at] = bad;
                assertTrue(Tensor.of(x, n).hasNonFinite(), bad + " at " + at);
                assertTrue(Tensor.of(x, n).to(DType.FLOAT64).hasNonFinite(), bad + " at " + at + ", float64");
                assertTrue(Tensor.of(x, 5, n / 5).transpose(0, 1).hasNonFinite(), bad + " at " + at + ", strided");
            }
        }
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 0f, -0f};
        assertFalse(Tensor.of(extremes, extremes.length).hasNonFinite());
        assertFalse(Tensor.zeros(0, 3).hasNonFinite());
        assertFalse(Tensor.of(new long[] {Long.MAX_VALUE, 1}, 2).hasNonFinite());
    }

    @Test
    void checksSeveralTensorsForNonFiniteElementsAtOnce() {
        Tensor big = Tensor.of(new float[] {Float.MAX_VALUE, Float.MAX_VALUE}, 2); // their sum overflows
        Tensor small = Tensor.of(new float[] {-Float.MAX_VALUE}, 1).to(DType.FLOAT64);
        assertTrue(Tensor.allFinite(List.of(big, small, big, Tensor.zeros(0))));
        assertTrue(Tensor.allFinite(List.of()));
        assertFalse(Tensor.allFinite(List.of(Tensor.of(new float[] {Float.NaN}, 1).requiresGrad(true))), "a parameter");
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Tensor last = Tensor.of(new float[] {1, bad, 2}, 3);
            assertFalse(Tensor.allFinite(List.of(big, small, last)), bad + " in the last tensor");
            assertFalse(Tensor.allFinite(List.of(last, big)), bad + " in the first tensor");
        }
    }

    @Test
    void createsFromArraysAndReadsBack() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertEquals(DType.FLOAT32, t.dtype());
        assertEquals(Device.CPU, t.device());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        assertArrayEquals(new long[] {7, 8}, Tensor.of(new long[] {7, 8}, 2).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
    }

    @Test
    void readsEmptyTensorsBackAsEmptyArrays() {
        assertArrayEquals(new float[0], Tensor.zeros(0, 3).toFloatArray());
        assertArrayEquals(new double[0], Tensor.zeros(DType.FLOAT64, 0).toDoubleArray());
        assertArrayEquals(new long[0], Tensor.zeros(DType.INT64, 0).toLongArray());
    }

    @Test
    void broadcastsArithmeticAndMatmul() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor row = Tensor.of(new float[] {10, 20}, 2);
        assertArrayEquals(new float[] {11, 22, 13, 24}, a.add(row).toFloatArray());
        assertArrayEquals(new float[] {7, 10, 15, 22}, a.matmul(a).toFloatArray());
        assertEquals(10.0, a.sum().item());
        assertEquals(2.5, a.mean().item());
        assertArrayEquals(new long[] {1, 1}, a.argmax(1).toLongArray());
        assertArrayEquals(new float[] {4, 6}, a.sum(0, false).toFloatArray());
    }

    @Test
    void shapesCatAndStack() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        assertArrayEquals(new long[] {3, 4, 5}, a.select(0, 1).toLongArray());
        assertArrayEquals(new long[] {1, 2, 4, 5}, a.narrow(1, 1, 2).contiguous().toLongArray());
        assertArrayEquals(new long[] {4, 3}, Tensor.cat(0, a, a).shape());
        assertArrayEquals(new long[] {2, 2, 3}, Tensor.stack(0, a, a).shape());
        assertArrayEquals(new long[] {6}, a.flatten().shape());
        Tensor picked = a.indexSelect(0, Tensor.of(new long[] {1, 0}, 2));
        assertArrayEquals(new long[] {3, 4, 5, 0, 1, 2}, picked.toLongArray());
    }

    @Test
    void backwardComputesGradients() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        assertNull(x.grad());
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
        x.clearGrad();
        assertNull(x.grad());
        x.clearGrad(); // without a gradient: nothing to drop
        assertNull(x.grad());
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray(), "a fresh gradient after clearing");
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        try (NoGrad g = NoGrad.open()) {
            assertFalse(x.mul(2).requiresGrad());
        }
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void scopeReleasesTensorsUnlessKept() {
        Tensor released;
        Tensor kept;
        try (MemoryScope scope = MemoryScope.open()) {
            released = Tensor.ones(3);
            kept = Tensor.ones(3).mul(2).keep();
        }
        assertThrows(IllegalStateException.class, released::sum);
        assertEquals(6.0, kept.sum().item());
    }

    @Test
    void chunksOwnTheirDataAfterTheScopeOfTheSplitCloses() {
        Tensor[] parts;
        try (MemoryScope outer = MemoryScope.open()) {
            Tensor whole = Tensor.arange(10).keep();
            try (MemoryScope inner = MemoryScope.open()) {
                parts = whole.chunk(3, 0);
                for (Tensor p : parts) {
                    p.keep();
                }
            }
            System.gc(); // the libtorch vector that held the chunks is gone; the chunks must not be
            assertArrayEquals(new long[] {0, 1, 2, 3}, parts[0].toLongArray());
            assertArrayEquals(new long[] {8, 9}, parts[2].toLongArray());
        }
    }
}
