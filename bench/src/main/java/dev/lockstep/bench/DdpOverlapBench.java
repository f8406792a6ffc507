package dev.lockstep.bench;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.Subset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.models.SimpleCNN;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.optim.Adam;
import dev.lockstep.parallel.DistributedDataParallel;
import dev.lockstep.parallel.dist.ProcessGroup;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.nio.file.Path;
import java.util.Locale;

/**
 * DDP step time of the seeds' CNN with gradient all-reduce (normal steps) and without it (the
 * same steps inside {@code noSync()}), one rank per process as {@code lockstep run} starts them.
 * Alternates blocks of steps so both see the same machine load.
 * Usage: DdpOverlapBench MNIST_DIR [FIRST_BUCKET_MIB (default 1, as PyTorch)]
 */
public final class DdpOverlapBench {
    private static final int BLOCK = 25;
    private static final int BLOCKS = 8;

    private DdpOverlapBench() {
    }

    public static void main(String[] args) throws Exception {
        Torch.setNumThreads(1);
        Torch.manualSeed(1);
        var train = Subset.first(MNIST.train(Path.of(args[0]), new ToTensor()), 64 * BLOCK * BLOCKS * 2);
        try (ProcessGroup group = ProcessGroup.init(ProcessGroupOptions.fromEnvironment())) {
            var model = new SimpleCNN();
            double firstBucketMiB = args.length > 1 ? Double.parseDouble(args[1]) : 1;
            var ddp = new DistributedDataParallel(model, group,
                    DistributedDataParallel.Options.defaults().withFirstBucketCapMiB(firstBucketMiB));
            var optimizer = new Adam(model.parameters(), 1e-3);
            var criterion = new CrossEntropyLoss();
            double[] seconds = new double[2]; // with sync, without
            try (DataLoader loader = DataLoader.builder(train).batchSize(64).build()) {
                int step = 0;
                long blockStart = System.nanoTime();
                for (Batch batch : loader) {
                    boolean sync = (step / BLOCK) % 2 == 0;
                    if (step >= BLOCK * 2) { // the first two blocks warm up
                        if (step % BLOCK == 0) {
                            blockStart = System.nanoTime();
                        }
                    }
                    optimizer.zeroGrad();
                    if (sync) {
                        Tensor loss = criterion.forward(ddp.forward(batch.input()), batch.target());
                        loss.backward();
                    } else {
                        try (AutoCloseable off = ddp.noSync()) {
                            Tensor loss = criterion.forward(ddp.forward(batch.input()), batch.target());
                            loss.backward();
                        }
                    }
                    optimizer.step();
                    step++;
                    if (step > BLOCK * 2 && step % BLOCK == 0) {
                        seconds[sync ? 0 : 1] += (System.nanoTime() - blockStart) / 1e9;
                    }
                }
                int measured = (step - 2 * BLOCK) / 2;
                if (group.rank() == 0) {
                    double with = 1e3 * seconds[0] / measured;
                    double without = 1e3 * seconds[1] / measured;
                    System.out.printf(Locale.ROOT, "world %d, first bucket %.2f MiB, CNN batch 64 per rank, 1 thread per rank: step %.2f ms with"
                            + " gradient all-reduce, %.2f ms without (noSync): ratio %.3f%n", group.worldSize(), firstBucketMiB, with,
                            without, with / without);
                }
            }
        }
    }
}
