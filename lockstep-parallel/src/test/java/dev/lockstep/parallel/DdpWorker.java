package dev.lockstep.parallel;

import dev.lockstep.data.Batch;
import dev.lockstep.data.DataLoader;
import dev.lockstep.data.RandomSampler;
import dev.lockstep.data.Sampler;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.nn.BatchNorm1d;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.SGD;
import dev.lockstep.parallel.dist.DistributedException;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.Iterator;
import java.util.StringJoiner;

/**
 * Trains a small MLP on synthetic data and prints its final parameters as
 * {@code RESULT params v,v,...}. Modes: {@code single} (one process, reference), {@code ddp}
 * (DDPStrategy from the environment, per-rank batch = global/N), {@code nosync} (ddp with each
 * step's per-rank batch split into k micro-batches, all but the last under noSync), {@code uneven}
 * (rank 0 gets one batch fewer, inside join()); with the suffix {@code -frozen} ({@code single-frozen},
 * {@code ddp-frozen}) the first layer does not train.
 * Args: mode steps globalBatch [k].
 */
public final class DdpWorker {
    static final int SAMPLES = 640;
    static final long SHUFFLE_SEED = 7;

    public static void main(String[] args) throws Exception {
        Torch.setNumThreads(1);
        String mode = args[0];
        int steps = Integer.parseInt(args[1]);
        int globalBatch = Integer.parseInt(args[2]);
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Torch.manualSeed(0);
        Tensor x = Tensor.randn(SAMPLES, 20).keep();
        Tensor y = x.matmul(Tensor.randn(20, 4)).argmax(1).keep();
        TensorDataset data = new TensorDataset(x, y);
        Sampler global = new RandomSampler(SAMPLES, SHUFFLE_SEED);
        boolean frozen = mode.endsWith("-frozen");
        mode = mode.replace("-frozen", "");
        if (mode.equals("single")) {
            Module model = mlp(1, frozen);
            train(model, model, DataLoader.builder(data).batchSize(globalBatch).sampler(global).build(), steps, 1, null);
            print(model);
            return;
        }
        try (DDPStrategy strategy = DDPStrategy.fromEnvironment()) {
            int n = strategy.worldSize();
            // Different initial weights on every rank: DDP must broadcast rank 0's.
            Module model = mlp(1 + strategy.rank(), frozen);
            DistributedDataParallel ddp = (DistributedDataParallel) strategy.wrap(model);
            DataLoader loader = DataLoader.builder(data).batchSize(globalBatch / n / k)
                    .sampler(strategy.shard(global, SAMPLES)).build();
            if (mode.equals("buffers")) { // BatchNorm: each rank's last step updates its own statistics
                Torch.manualSeed(1);
                Module bn = new Sequential(new Linear(20, 8), new BatchNorm1d(8));
                Module wrapped = strategy.wrap(bn);
                train(bn, wrapped, loader, steps, 1, null);
                System.out.println("RESULT before " + values(bn.namedBuffers().values()));
                strategy.syncBuffers(wrapped);
                System.out.println("RESULT after " + values(bn.namedBuffers().values()));
                return;
            }
            if (mode.equals("uneven")) {
                int mine = strategy.rank() == 0 ? steps - 1 : steps;
                try (DistributedDataParallel.Join j = ddp.join()) {
                    train(model, ddp, loader, mine, 1, null);
                } catch (DistributedException e) {
                    System.out.println("RESULT error " + e.getMessage());
                    System.exit(3);
                }
                return;
            }
            train(model, ddp, loader, steps, k, ddp);
            if (strategy.isMain()) {
                print(model);
            }
        }
    }

    static Module mlp(long seed, boolean frozenFirstLayer) {
        Torch.manualSeed(seed);
        Linear first = new Linear(20, 32);
        if (frozenFirstLayer) {
            first.parameters().forEach(p -> p.requiresGrad(false));
        }
        return new Sequential(first, new ReLU(), new Linear(32, 4));
    }

    /** {@code steps} optimiser steps, each over k micro-batches (all but the last without sync). */
    static void train(Module model, Module forward, DataLoader loader, int steps, int k, DistributedDataParallel ddp)
            throws Exception {
        SGD sgd = new SGD(model.parameters(), 0.1);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        int epoch = 0;
        loader.setEpoch(epoch);
        Iterator<Batch> it = loader.iterator();
        for (int s = 0; s < steps; s++) {
            sgd.zeroGrad();
            for (int m = 0; m < k; m++) {
                if (!it.hasNext()) {
                    loader.setEpoch(++epoch);
                    it = loader.iterator();
                }
                Batch b = it.next();
                if (m < k - 1) {
                    try (AutoCloseable quiet = ddp.noSync()) {
                        lossFn.forward(forward.forward(b.input()), b.target()).div(k).backward();
                    }
                } else {
                    lossFn.forward(forward.forward(b.input()), b.target()).div(k).backward();
                }
            }
            sgd.step();
        }
    }

    static void print(Module model) {
        System.out.println("RESULT params " + values(model.parameters()));
    }

    private static String values(Iterable<Tensor> tensors) {
        StringJoiner j = new StringJoiner(",");
        for (Tensor t : tensors) {
            for (float v : t.to(DType.FLOAT32).toFloatArray()) {
                j.add(Float.toString(v));
            }
        }
        return j.toString();
    }
}
