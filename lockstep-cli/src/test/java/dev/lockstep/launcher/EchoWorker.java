package dev.lockstep.launcher;

import dev.lockstep.parallel.dist.ProcessGroup;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.parallel.dist.ReduceOp;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;

/** A stand-in for the trainer in {@link LocalAgentTest}. Args: echo | fail R | allreduce | sleep. */
public final class EchoWorker {
    public static void main(String[] args) throws InterruptedException {
        String rank = System.getenv("RANK");
        switch (args[0]) {
            case "echo" -> {
                System.out.println("hello world=" + System.getenv("WORLD_SIZE") + " local=" + System.getenv("LOCAL_RANK")
                        + " threads=" + System.getenv("OMP_NUM_THREADS") + " timeout=" + System.getenv("LOCKSTEP_TIMEOUT"));
                System.err.println("to stderr");
            }
            case "fail" -> {
                if (rank.equals(args[1])) {
                    System.err.println("boom: simulated failure");
                    System.exit(5);
                }
                Thread.sleep(600_000); // a healthy rank still training: the agent must stop it
            }
            case "sleep" -> {
                System.out.println("pid=" + ProcessHandle.current().pid());
                Thread.sleep(600_000); // until the agent stops it
            }
            case "allreduce" -> {
                Torch.setNumThreads(1);
                try (ProcessGroup pg = ProcessGroup.init(ProcessGroupOptions.fromEnvironment())) {
                    Tensor t = Tensor.of(new float[] {pg.rank()}, 1);
                    pg.allReduce(t, ReduceOp.SUM);
                    System.out.println("sum=" + t.item());
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
