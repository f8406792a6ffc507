package dev.lockstep.parallel.dist;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/** A rank for {@link ProcessGroupTest}: runs one scenario and prints {@code RESULT key value} lines. */
public final class CollectivesWorker {
    public static void main(String[] args) {
        Torch.setNumThreads(1);
        String scenario = args[0];
        ProcessGroupOptions options = ProcessGroupOptions.fromEnvironment();
        if (args.length > 1) {
            options = options.withTimeout(Duration.ofSeconds(Long.parseLong(args[1])));
        }
        if (scenario.equals("raw-store")) {
            rawStore(options);
            return;
        }
        try (ProcessGroup pg = ProcessGroup.init(options)) {
            switch (scenario) {
                case "collectives" -> collectives(pg);
                case "die" -> die(pg);
                case "stall" -> stall(pg);
                default -> throw new IllegalArgumentException(scenario);
            }
        } catch (DistributedException e) {
            System.out.println("RESULT error " + e.getMessage().replace('\n', ' '));
            System.exit(3);
        }
    }

    private static void collectives(ProcessGroup pg) {
        int r = pg.rank();
        for (ReduceOp op : ReduceOp.values()) {
            Tensor t = Tensor.of(new float[] {r + 1, -(r + 1), 10 * r}, 3);
            pg.allReduce(t, op);
            print(op.name().toLowerCase(), t.toFloatArray());
        }
        Tensor b = Tensor.full(r, DType.FLOAT32, 4);
        pg.broadcast(b, pg.worldSize() - 1);
        print("broadcast", b.toFloatArray());
        List<Tensor> g = pg.allGather(Tensor.of(new long[] {r, r * r}, 2));
        StringBuilder sb = new StringBuilder();
        g.forEach(t -> sb.append(Arrays.toString(t.toLongArray())));
        System.out.println("RESULT allgather " + sb);
        Tensor in = Tensor.arange(0, 2 * pg.worldSize(), 1).add(r);
        print("reducescatter", pg.reduceScatter(in, ReduceOp.SUM).toFloatArray());
        pg.barrier();
        System.out.println("RESULT done true");
    }

    /** Rank 1 exits in the middle of the job; the others keep calling collectives. */
    private static void die(ProcessGroup pg) {
        Tensor t = Tensor.ones(1000);
        pg.allReduce(t, ReduceOp.SUM);
        if (pg.rank() == 1) {
            Runtime.getRuntime().halt(7);
        }
        for (int i = 0; i < 1000; i++) {
            pg.allReduce(t, ReduceOp.SUM);
        }
        System.out.println("RESULT done true");
    }

    /** Rank 1 stays alive but stops calling collectives; the others must time out. */
    private static void stall(ProcessGroup pg) {
        if (pg.rank() == 1) {
            try {
                Thread.sleep(Duration.ofMinutes(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        pg.allReduce(Tensor.ones(10), ReduceOp.SUM);
        System.out.println("RESULT done true");
    }

    /** A plain c10d store client, as a process without Lockstep or its token would use, tries to read rank 0's entry. */
    private static void rawStore(ProcessGroupOptions o) {
        TCPStoreOptions so = new TCPStoreOptions();
        so.port((short) o.masterPort());
        so.isServer(false);
        so.timeout(new Milliseconds(o.timeout().toMillis()));
        try {
            TCPStore store = new TCPStore(o.masterAddr(), so);
            System.out.println("RESULT read " + store.get_to_str("lockstep/peer/0"));
        } catch (RuntimeException e) {
            System.out.println("RESULT error " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            System.exit(3);
        }
    }

    private static void print(String key, float[] values) {
        System.out.println("RESULT " + key + " " + Arrays.toString(values));
    }
}
