package dev.lockstep.parallel.dist;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.global.torch_cuda;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

/**
 * Creates the NCCL backend. A class of its own so that CPU-only hosts never load the NCCL
 * bindings (their natives exist only in the GPU build of libtorch).
 */
final class NcclBackend {
    private NcclBackend() {
    }

    /** One GPU per process: {@code cuda:localRank} becomes this thread's current device first. */
    static ProcessGroupNCCL create(Store store, ProcessGroupOptions o) {
        torch_cuda.set_device((byte) o.localRank());
        ProcessGroupNCCL.Options options = new ProcessGroupNCCL.Options();
        options.timeout(new Milliseconds(o.timeout().toMillis()));
        return new ProcessGroupNCCL(store, o.rank(), o.worldSize(), options);
    }
}
