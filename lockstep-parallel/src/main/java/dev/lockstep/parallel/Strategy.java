package dev.lockstep.parallel;

import dev.lockstep.data.Sampler;
import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Device;

/**
 * The one seam between single-device, DataParallel and DistributedDataParallel training. The
 * trainer (and any hand-written loop) calls only these methods; the model, loss and loop body do
 * not change when the strategy does. Modelled on Lightning's {@code Strategy}.
 *
 * <p>Path of one batch: {@link #inputDevice()} ← batch; {@link #wrap wrapped} model forward →
 * loss → backward → {@link #syncGradients} → optimiser step → {@link #allReduceSum metrics}.
 */
public interface Strategy extends AutoCloseable {

    /** Name as on the command line ({@code single}, {@code dp}, {@code ddp}). */
    String name();

    /** Where batches go before the forward pass (the output device for DataParallel). */
    Device inputDevice();

    /**
     * Moves the model where it must be and returns what to call {@code forward} on. The returned
     * module shares parameters with {@code model}, so an optimiser over {@code model.parameters()}
     * trains it.
     */
    Module wrap(Module model);

    /**
     * The order of examples this process visits in an epoch, given the order a single process
     * would use. Single-process strategies return it unchanged; DDP gives each rank its share.
     */
    default Sampler shard(Sampler globalOrder, long datasetSize) {
        return globalOrder;
    }

    /**
     * The examples this process evaluates: every example exactly once over all processes (no
     * padding, so sums of per-process metrics are exact).
     */
    default Sampler shardForEval(Sampler order, long datasetSize) {
        return order;
    }

    /** After backward, before the optimiser step: make every replica's gradients agree. */
    default void syncGradients(Module wrapped) {
    }

    /**
     * Before evaluating (and saving) the model: make every replica's buffers, such as BatchNorm's
     * running statistics, agree; each rank's last training step updated its own.
     */
    default void syncBuffers(Module wrapped) {
    }

    /**
     * Explains a failure of {@code what} (e.g. backward, whose gradient all-reduce runs inside it)
     * in terms of the processes involved, naming a dead or silent rank; other errors unchanged.
     */
    default RuntimeException describeFailure(String what, RuntimeException e) {
        return e;
    }

    /** Sums values over all processes in place (metrics); a no-op for one process. */
    default void allReduceSum(double[] values) {
    }

    /** Model replicas this process runs at once: DataParallel's devices, else 1. */
    default int replicasPerProcess() {
        return 1;
    }

    default int rank() {
        return 0;
    }

    default int worldSize() {
        return 1;
    }

    /** Whether this process logs and writes files (rank 0). */
    default boolean isMain() {
        return rank() == 0;
    }

    @Override
    default void close() {
    }
}
