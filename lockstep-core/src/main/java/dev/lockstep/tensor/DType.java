package dev.lockstep.tensor;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element types, named as in PyTorch ({@code torch.float32}, {@code torch.int64}, ...). */
public enum DType {
    FLOAT32(ScalarType.Float, 4, "F32"),
    FLOAT64(ScalarType.Double, 8, "F64"),
    INT64(ScalarType.Long, 8, "I64"),
    INT32(ScalarType.Int, 4, "I32"),
    UINT8(ScalarType.Byte, 1, "U8"),
    BOOL(ScalarType.Bool, 1, "BOOL");

    final ScalarType scalarType;
    private final int byteSize;
    private final String safetensorsName;

    DType(ScalarType scalarType, int byteSize, String safetensorsName) {
        this.scalarType = scalarType;
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype's name in the safetensors header ({@code "F32"}, {@code "I64"}, ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
    }

    static DType of(ScalarType type) {
        for (DType t : values()) {
            if (t.scalarType.value == type.value) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported libtorch scalar type " + type);
    }
}
