package dev.lockstep.parallel.dist;

import dev.lockstep.tensor.Device;

/** The communication library under a {@link ProcessGroup}, as {@code torch.distributed}'s backends. */
public enum Backend {
    /** CPU tensors over TCP; what PyTorch uses for CPU training. */
    GLOO,
    /** CUDA tensors over NVLink/InfiniBand; one GPU per process. */
    NCCL;

    /** PyTorch's default: NCCL for CUDA devices, Gloo otherwise. */
    public static Backend forDevice(Device device) {
        return device.isCuda() ? NCCL : GLOO;
    }
}
