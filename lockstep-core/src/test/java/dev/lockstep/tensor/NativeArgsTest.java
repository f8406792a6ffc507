package dev.lockstep.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class NativeArgsTest {

    @Test
    void sharedArgumentsOutliveEveryStepScope() {
        try (MemoryScope step = MemoryScope.open()) {
            Tensor.zeros(DType.INT64, 3); // may load NativeArgs, and so make its objects, inside this scope
        }
        // A scope releases one reference of each object it holds: an object that counted on none
        // of its own would be freed here (or by the next scope that attaches it).
        Pointer[] shared = {NativeArgs.NO_TENSOR, NativeArgs.NO_MEMORY_FORMAT, NativeArgs.options(DType.INT64)};
        for (Pointer p : shared) {
            assertFalse(p.isNull());
            assertTrue(p.referenceCount() >= 1, p + " has no reference of its own");
        }
        try (MemoryScope step = MemoryScope.open()) {
            assertArrayEquals(new long[] {0, 0, 0}, Tensor.zeros(DType.INT64, 3).toLongArray());
            assertArrayEquals(new float[] {0, 0}, Tensor.of(new float[] {0, 0}, 2).toFloatArray());
        }
    }
}
