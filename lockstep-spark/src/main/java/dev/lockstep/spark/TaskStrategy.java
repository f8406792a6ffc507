package dev.lockstep.spark;

import dev.lockstep.data.Sampler;
import dev.lockstep.nn.Module;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.tensor.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;

/**
 * A rank's strategy inside a Spark task: delegates everything, and before each step's gradient
 * sync, each buffer sync and each metrics reduction stops the rank if Spark has killed the task (a peer died, the
 * job was cancelled). Native collectives cannot be interrupted; they fail on a dead peer or at the
 * job's timeout, and this check catches the rest between steps.
 */
final class TaskStrategy implements Strategy {
    private final Strategy delegate;
    private final TaskContext task;

    TaskStrategy(Strategy delegate, TaskContext task) {
        this.delegate = delegate;
        this.task = task;
    }

    private void stopIfKilled() {
        if (task.isInterrupted()) {
            throw new TaskKilledException("lockstep rank " + delegate.rank() + ": task killed, stopping training");
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Device inputDevice() {
        return delegate.inputDevice();
    }

    @Override
    public Module wrap(Module model) {
        return delegate.wrap(model);
    }

    @Override
    public Sampler shard(Sampler globalOrder, long datasetSize) {
        return delegate.shard(globalOrder, datasetSize);
    }

    @Override
    public Sampler shardForEval(Sampler order, long datasetSize) {
        return delegate.shardForEval(order, datasetSize);
    }

    @Override
    public void syncGradients(Module wrapped) {
        stopIfKilled();
        delegate.syncGradients(wrapped);
    }

    @Override
    public void syncBuffers(Module wrapped) {
        stopIfKilled();
        delegate.syncBuffers(wrapped);
    }

    @Override
    public RuntimeException describeFailure(String what, RuntimeException e) {
        return delegate.describeFailure(what, e);
    }

    @Override
    public int replicasPerProcess() {
        return delegate.replicasPerProcess();
    }

    @Override
    public void allReduceSum(double[] values) {
        stopIfKilled();
        delegate.allReduceSum(values);
    }

    @Override
    public int rank() {
        return delegate.rank();
    }

    @Override
    public int worldSize() {
        return delegate.worldSize();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
