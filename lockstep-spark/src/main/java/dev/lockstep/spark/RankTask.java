package dev.lockstep.spark;

import dev.lockstep.data.Dataset;
import dev.lockstep.io.Safetensors;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.LRScheduler;
import dev.lockstep.optim.LRSchedulers;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.parallel.DDPStrategy;
import dev.lockstep.parallel.DistributedDataParallel;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Torch;
import dev.lockstep.train.SchedulerInterval;
import dev.lockstep.train.Trainer;
import dev.lockstep.train.TrainingResult;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task, i.e. one DDP rank: rendezvous, then {@code lockstep train}'s
 * steps (threads, data, seeded model, optimiser) under a {@link DDPStrategy}, resuming from the
 * job's latest checkpoint if it has any. Rank 0 returns the metrics and weights; the other ranks
 * return nothing.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<RankOutput>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TrainJob job;
    private final boolean useGpu;

    RankTask(TrainJob job, boolean useGpu) {
        this.job = job;
        this.useGpu = useGpu;
    }

    @Override
    public Iterator<RankOutput> apply(Iterator<Integer> partition) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        OptionalInt gpu = useGpu ? OptionalInt.of(gpuOrdinal(ctx)) : OptionalInt.empty();
        ProcessGroupOptions options = Rendezvous.join(ctx, job.timeout(), gpu);
        Device device = gpu.isPresent() ? Device.cuda(gpu.getAsInt()) : Device.CPU;
        Torch.setNumThreads(job.threads() > 0 ? job.threads() : ctx.cpus());
        Dataset[] data = job.datasets();
        Torch.manualSeed(job.seed());
        Module model = job.model().create();
        Optimizer optimizer = job.optimizer(model);
        int rank = options.rank();
        try (Strategy strategy = new TaskStrategy(
                new DDPStrategy(options, device, DistributedDataParallel.Options.defaults()), ctx)) {
            Trainer.Builder trainer = Trainer.builder().strategy(strategy).epochs(job.epochs())
                    .batchSize(job.batchSize()).seed(job.seed()).logInterval(job.logInterval())
                    .classification(job.model().classification())
                    .memoryFormat(job.model().memoryFormat(strategy.inputDevice()))
                    .log(line -> System.out.println("[lockstep rank " + rank + "] " + line));
            // Every attempt looks: a resubmitted job (or a rerun one) goes on from rank 0's last checkpoint.
            job.checkpoints().ifPresent(c -> trainer.checkpoints(c).resumeFromLatest());
            Trainer built = trainer.schedulerInterval(SchedulerInterval.STEP).build();
            LRScheduler scheduler = LRSchedulers.create(job.model().lrSchedule(), optimizer,
                    built.estimatedSteppingBatches(data[0]));
            TrainingResult result = built.fit(model, job.model().loss(), optimizer, scheduler, data[0], data[1]);
            List<RankOutput> out = rank == 0 ? List.of(new RankOutput(result, weights(model))) : List.of();
            return CollectionConverters.asScala(out.iterator());
        }
    }

    /** The GPU Spark assigned to this task ({@code spark.task.resource.gpu.amount=1}). */
    private static int gpuOrdinal(BarrierTaskContext ctx) {
        ResourceInformation gpus = ctx.resourcesJMap().get("gpu");
        if (gpus == null || gpus.addresses().length == 0) {
            throw new IllegalStateException("useGpu is set but Spark gave this task no GPU: set"
                    + " spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount=1");
        }
        return Integer.parseInt(gpus.addresses()[0].trim());
    }

    private static byte[] weights(Module model) {
        try {
            Path file = Files.createTempFile("lockstep-weights-", ".safetensors");
            try {
                Safetensors.save(model.stateDict(), file);
                return Files.readAllBytes(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the final weights: " + e.getMessage(), e);
        }
    }
}
