package dev.lockstep.spark;

import dev.lockstep.parallel.dist.Backend;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import java.time.Duration;
import java.util.OptionalInt;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;

/**
 * Turns a barrier stage into a process group: rank = partition, world = the stage's tasks, and
 * rank 0's "host:port" and a fresh rendezvous token reach every task through one
 * {@code allGather} (which, unlike a c10d call, notices the task being killed). The token is as
 * private as Spark's own RPC (see {@code spark.authenticate} and {@code spark.network.crypto.enabled}).
 */
final class Rendezvous {
    private Rendezvous() {
    }

    /**
     * @param gpu the GPU ordinal Spark gave this task, if any: it becomes the local rank, which is
     *            what picks the CUDA device and NCCL's bound device
     */
    static ProcessGroupOptions join(BarrierTaskContext ctx, Duration timeout, OptionalInt gpu) {
        BarrierTaskInfo[] tasks = ctx.getTaskInfos();
        int rank = ctx.partitionId();
        String[] hosts = new String[tasks.length];
        for (int r = 0; r < tasks.length; r++) {
            hosts[r] = host(tasks[r].address());
        }
        String mine = rank == 0
                ? hosts[0] + ":" + ProcessGroupOptions.freePort() + " " + ProcessGroupOptions.newToken() : "";
        String[] master = ctx.allGather(mine)[0].split(" ");
        int colon = master[0].lastIndexOf(':');
        int localRank = 0;
        int localWorld = 0;
        for (int r = 0; r < tasks.length; r++) {
            if (hosts[r].equals(hosts[rank])) {
                localRank += r < rank ? 1 : 0;
                localWorld++;
            }
        }
        if (gpu.isPresent()) {
            localRank = gpu.getAsInt();
            localWorld = Math.max(localWorld, localRank + 1);
        }
        return new ProcessGroupOptions(master[0].substring(0, colon), Integer.parseInt(master[0].substring(colon + 1)),
                rank, tasks.length, localRank, localWorld, timeout, Backend.GLOO, master[1], "");
    }

    /** {@code BarrierTaskInfo.address()} is the executor's "host:port". */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }
}
