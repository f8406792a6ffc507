package dev.lockstep.parallel;

import dev.lockstep.data.Sampler;
import dev.lockstep.nn.Module;
import dev.lockstep.parallel.dist.Backend;
import dev.lockstep.parallel.dist.ProcessGroup;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.parallel.dist.ReduceOp;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Tensor;
import java.util.Locale;

/**
 * One process per device, started by {@code lockstep run}: joins the process group described by
 * the environment, wraps the model in {@link DistributedDataParallel} (gradients are averaged
 * during backward, so {@link #syncGradients} has nothing left to do), gives each rank its
 * {@link DistributedSampler} share of every epoch, and sums metrics over ranks.
 */
public final class DDPStrategy implements Strategy {
    private final ProcessGroup group;
    private final Device device;
    private final DistributedDataParallel.Options options;

    /** From {@code MASTER_ADDR}, {@code RANK}, ... on the CPU with Gloo. */
    public static DDPStrategy fromEnvironment() {
        return new DDPStrategy(ProcessGroupOptions.fromEnvironment(), Device.CPU, DistributedDataParallel.Options.defaults());
    }

    /**
     * @param device CPU, or CUDA: then this rank uses {@code cuda:LOCAL_RANK} and NCCL
     */
    public DDPStrategy(ProcessGroupOptions options, Device device, DistributedDataParallel.Options ddpOptions) {
        this.device = device.isCuda() ? Device.cuda(options.localRank()) : Device.CPU;
        this.group = ProcessGroup.init(options.withBackend(Backend.forDevice(device)));
        this.options = ddpOptions;
    }

    @Override
    public String name() {
        return "ddp";
    }

    @Override
    public Device inputDevice() {
        return device;
    }

    @Override
    public Module wrap(Module model) {
        return new DistributedDataParallel(model.to(device), group, options);
    }

    @Override
    public void syncBuffers(Module wrapped) {
        ((DistributedDataParallel) wrapped).syncBuffers();
    }

    @Override
    public Sampler shard(Sampler globalOrder, long datasetSize) {
        return new DistributedSampler(globalOrder, group.worldSize(), group.rank(), false);
    }

    /** Rank r evaluates examples r, r+N, r+2N, ...: each exactly once, no padding. */
    @Override
    public Sampler shardForEval(Sampler order, long datasetSize) {
        int world = group.worldSize();
        int rank = group.rank();
        return epoch -> {
            long[] all = order.indices(epoch);
            long[] mine = new long[(int) ((all.length - rank + world - 1) / world)];
            for (int i = 0; i < mine.length; i++) {
                mine[i] = all[rank + i * world];
            }
            return mine;
        };
    }

    /** Communication errors (Gloo/NCCL, connections, timeouts) name the rank at fault. */
    @Override
    public RuntimeException describeFailure(String what, RuntimeException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        boolean communication = m.contains("gloo") || m.contains("nccl") || m.contains("connection")
                || m.contains("timed out") || m.contains("timeout") || m.contains("peer");
        return communication ? group.failure(what, e) : e;
    }

    @Override
    public void allReduceSum(double[] values) {
        if (values.length == 0) {
            return;
        }
        Tensor t = Tensor.of(values, values.length).to(device);
        group.allReduce(t, ReduceOp.SUM);
        System.arraycopy(t.toDoubleArray(), 0, values, 0, values.length);
    }

    @Override
    public int rank() {
        return group.rank();
    }

    @Override
    public int worldSize() {
        return group.worldSize();
    }

    public ProcessGroup processGroup() {
        return group;
    }

    @Override
    public void close() {
        group.close();
    }
}
