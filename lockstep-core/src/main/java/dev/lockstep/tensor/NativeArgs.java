package dev.lockstep.tensor;

import java.util.EnumMap;
import java.util.Map;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;

/**
 * Argument values of libtorch calls that never change, made once. Each native object costs JavaCPP
 * bookkeeping (a registration, and a read of the process's RSS) of tens of microseconds while the
 * first epoch still runs interpreted; a step made a few of these anew for every batch. libtorch
 * takes them by value, so threads can share them. For Lockstep's own packages.
 */
public final class NativeArgs {
    /** An empty {@code std::optional<Tensor>}: no bias, no class weights. */
    public static final TensorOptional NO_TENSOR;
    static final MemoryFormatOptional NO_MEMORY_FORMAT;
    private static final Map<DType, TensorOptions> OPTIONS = new EnumMap<>(DType.class);

    static {
        Torch.ensureLoaded();
        NO_TENSOR = MemoryScope.pin(new TensorOptional());
        NO_MEMORY_FORMAT = MemoryScope.pin(new MemoryFormatOptional());
        for (DType dtype : DType.values()) {
            OPTIONS.put(dtype, MemoryScope.pin(new TensorOptions(dtype.scalarType)));
        }
    }

    private NativeArgs() {
    }

    /** Options of a CPU tensor of {@code dtype}. */
    static TensorOptions options(DType dtype) {
        return OPTIONS.get(dtype);
    }
}
