package dev.lockstep.tensor;

/**
 * How a 4-d [N, C, H, W] tensor lays its elements out in memory, as PyTorch's
 * {@code torch.memory_format}. The shape and the values are the same in both; kernels differ.
 * On the CPU, libtorch's max-pooling over channels-last images was 11–13× faster than over
 * contiguous ones, and its convolutions then compute in channels-last too (BENCHMARKS.md).
 */
public enum MemoryFormat {
    /** Row-major [N, C, H, W]: {@code torch.contiguous_format}. */
    CONTIGUOUS(org.bytedeco.pytorch.global.torch.MemoryFormat.Contiguous),
    /** [N, H, W, C] in memory, the channels of a pixel side by side: {@code torch.channels_last}. */
    CHANNELS_LAST(org.bytedeco.pytorch.global.torch.MemoryFormat.ChannelsLast);

    final org.bytedeco.pytorch.global.torch.MemoryFormat nativeFormat;

    MemoryFormat(org.bytedeco.pytorch.global.torch.MemoryFormat nativeFormat) {
        this.nativeFormat = nativeFormat;
    }
}
