package dev.lockstep.cli;

import dev.lockstep.data.Dataset;
import dev.lockstep.data.transforms.Normalize;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.io.CheckpointStore;
import dev.lockstep.launcher.RunCommand;
import dev.lockstep.models.ModelKind;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.LRScheduler;
import dev.lockstep.optim.LRSchedulers;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.parallel.DDPStrategy;
import dev.lockstep.parallel.Devices;
import dev.lockstep.parallel.DistributedDataParallel;
import dev.lockstep.parallel.Strategies;
import dev.lockstep.parallel.Strategy;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.Torch;
import dev.lockstep.train.CheckpointOptions;
import dev.lockstep.train.SchedulerInterval;
import dev.lockstep.train.Trainer;
import dev.lockstep.train.TrainingResult;
import dev.lockstep.train.watch.CsvMetrics;
import dev.lockstep.train.watch.PhaseTimeline;
import dev.lockstep.train.watch.ProgressBar;
import dev.lockstep.train.watch.TensorBoardMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code lockstep train}: the seeds' training programs behind flags; defaults are seed 000's. */
final class TrainCommand {
    private static final Set<String> OPTIONS = Set.of("model", "dataset", "data-dir", "epochs", "batch-size", "lr",
            "optimizer", "seed", "log-interval", "threads", "out", "strategy", "devices", "num-workers", "nproc-per-node",
            "timeout", "checkpoint-every", "keep-checkpoints", "resume", "max-restarts", "normalize", "random-crop",
            "lr-schedule", "blas-threads", "memory-format");
    private static final Set<String> FLAGS = Set.of("verbose", "help", "skip-nonfinite");
    static final String HELP = """
            usage: lockstep train [options]
              --model {cnn,mlp,simplenn,regression}  seed model (default cnn)
              --dataset mnist                        dataset (default mnist; regression uses synthetic data)
              --data-dir DIR                         IDX files (default: the bundled MNIST)
              --epochs N                             (default 1)
              --batch-size N                         global batch size (default 64)
              --lr X                                 learning rate (default 1e-3)
              --optimizer {sgd,adam,adamw}           (default adam)
              --seed N                               initial weights and data order (default 1)
              --normalize {none,MEAN,STD}            input normalisation after ToTensor (default the
                                                     model's: cnn 0.1307,0.3081 as PyTorch's MNIST
                                                     example, mlp none, simplenn 0.5,0.5 as the seeds)
              --random-crop P                        pad training images by P pixels and crop them
                                                     back at random, as RandomCrop(28, padding=P);
                                                     0 for none (default the model's: cnn 1, else 0)
              --lr-schedule {constant,cosine}        cosine: anneal the learning rate to 0 over every
                                                     step of the run (default the model's: cnn
                                                     cosine, else constant)
              --memory-format {contiguous,channels-last}
                                                     layout of the input images (default the
                                                     model's: cnn channels-last on the CPU, else
                                                     contiguous)
              --log-interval N                       batches between progress lines (default 100;
                                                     on a terminal a progress bar replaces them)
              --threads N                            libtorch threads (default: OMP_NUM_THREADS or all cores)
              --blas-threads N                       OpenBLAS threads for matrix products (default:
                                                     --threads for models without convolutions
                                                     on one CPU replica, else 1)
              --num-workers N                        batch-preparing threads (default 1; 0 while
                                                     OpenBLAS has several threads)
              --strategy {auto,single,dp,ddp}        how devices are used (default auto: dp when
                                                     there are several devices, else single)
              --nproc-per-node N                     with --strategy ddp: start N worker processes
                                                     (same as lockstep run --nproc-per-node N -- ...)
              --timeout S                            ddp: seconds before a silent peer is an error (300)
              --devices LIST                         cpu, cpu,cpu, cuda:0,cuda:1 or all (default all)
              --out DIR                              write metrics (json, csv, TensorBoard events),
                                                     phase traces, loss/accuracy/timeline PNGs and
                                                     model.safetensors to DIR
              --checkpoint-every N|epoch             checkpoint into DIR/checkpoints/step-N/ every N
                                                     steps and at each epoch end (needs --out)
              --keep-checkpoints K                   keep the newest K checkpoints (default 3)
              --resume [DIR|latest]                  continue from a checkpoint directory, or from
                                                     the newest usable one in --out (default latest)
              --skip-nonfinite                       skip steps whose loss is NaN/Inf (default: stop)
              --max-restarts K                       with --nproc-per-node: restart all workers up
                                                     to K times after a failure (resuming from latest)
              --verbose                              stack traces on errors
            """;

    private TrainCommand() {
    }

    static int run(List<String> argv) throws IOException {
        argv = resumeDefaultsToLatest(argv);
        Args a = Args.parse(argv, OPTIONS, FLAGS);
        if (a.flag("help")) {
            System.out.print(HELP);
            return 0;
        }
        String strategyName = a.string("strategy", "auto");
        boolean launch = a.has("nproc-per-node");
        if (launch) {
            if (!strategyName.equals("ddp")) {
                throw new UsageException("--nproc-per-node needs --strategy ddp");
            }
            if (System.getenv("LOCKSTEP_RESTART_COUNT") != null) {
                throw new UsageException("--nproc-per-node in a worker that lockstep run started: each worker"
                        + " would start workers of its own; pass it to lockstep run only");
            }
        } else if (a.has("max-restarts")) {
            throw new UsageException("--max-restarts needs --nproc-per-node N (or lockstep run --max-restarts K)");
        }
        ModelKind kind = ModelKind.parse(a.string("model", "cnn"));
        String dataset = a.string("dataset", "mnist");
        if (!dataset.equals("mnist")) {
            throw new UsageException("unknown --dataset '" + dataset + "': expected mnist");
        }
        int epochs = a.positiveInt("epochs", 1);
        int batchSize = a.positiveInt("batch-size", 64);
        double lr = a.positiveDouble("lr", 1e-3);
        long seed = a.longValue("seed", 1);
        int logInterval = a.integer("log-interval", 100);
        int threads = a.positiveInt("threads", defaultThreads());
        String schedule = a.string("lr-schedule", kind.lrSchedule());
        if (!LRSchedulers.NAMES.contains(schedule)) {
            throw new UsageException("unknown --lr-schedule '" + schedule + "': expected constant or cosine");
        }
        int cropPadding = cropPadding(a, kind);
        Path out = a.has("out") ? checkWritable(Path.of(a.string("out", null))) : null;
        Trainer.Builder trainer = Trainer.builder().epochs(epochs).batchSize(batchSize).seed(seed)
                .logInterval(logInterval).classification(kind.classification()).outDir(out)
                .skipNonFinite(a.flag("skip-nonfinite"));
        checkpointing(a, out, trainer);
        if (a.has("blas-threads")) {
            trainer.blasThreads(a.positiveInt("blas-threads", 1));
        }
        if (a.has("num-workers")) {
            int workers = a.integer("num-workers", 1);
            if (workers < 0) {
                throw new UsageException("--num-workers must be an integer >= 0, got " + workers);
            }
            trainer.numWorkers(workers);
        }
        if (launch) { // every option above is checked once here, before any worker starts
            return RunCommand.run(launchArgs(argv, a));
        }
        // libtorch takes about a second to load: the data files are decoded meanwhile
        Torch.loadInBackground(threads);
        Dataset[] data = kind.datasets(Path.of(a.string("data-dir", defaultDataDir())), seed, transform(a, kind),
                cropPadding);
        Strategy strategy = strategyName.equals("ddp") ? ddp(a) : Strategies.create(strategyName, a.string("devices", null));
        trainer.memoryFormat(memoryFormat(a, kind, strategy.inputDevice()));
        String optimizerName = a.string("optimizer", "adam");
        Torch.manualSeed(seed);
        Module model = kind.create();
        Optimizer optimizer = optimizer(optimizerName, model, lr);
        Loss loss = kind.loss();
        try (strategy) {
            watch(trainer, out, !a.has("log-interval") && System.console() != null);
            Trainer built = trainer.strategy(strategy).schedulerInterval(SchedulerInterval.STEP).build();
            LRScheduler scheduler = LRSchedulers.create(schedule, optimizer, built.estimatedSteppingBatches(data[0]));
            TrainingResult result = built.fit(model, loss, optimizer, scheduler, data[0], data[1]);
            if (strategy.isMain() && kind.classification()) {
                System.out.printf(Locale.ROOT, "Test accuracy: %.2f%%%n", 100 * result.testAccuracy());
            }
            if (out != null && strategy.isMain()) {
                PlotCommand.plot(out); // fit returned on every rank, so every trace file is there
            }
        }
        return 0;
    }

    /**
     * {@code --checkpoint-every} turns checkpoints on, and so does {@code --resume} (a resumed run
     * goes on checkpointing at epoch ends). A worker that the launcher restarted resumes from the
     * latest checkpoint by itself (or from {@code --resume DIR} while it has saved none). A run
     * from the beginning refuses a directory that holds another run's checkpoints before any
     * worker starts: restarted, it would resume from them.
     */
    private static void checkpointing(Args a, Path out, Trainer.Builder trainer) throws IOException {
        String every = a.string("checkpoint-every", null);
        String resume = a.string("resume", null);
        boolean restarted = System.getenv("LOCKSTEP_RESTART_COUNT") != null
                && !System.getenv("LOCKSTEP_RESTART_COUNT").equals("0");
        int keep = a.positiveInt("keep-checkpoints", CheckpointOptions.DEFAULT_KEEP);
        if (every == null && resume == null) {
            return;
        }
        int steps = every == null || every.equals("epoch") ? 0 : a.positiveInt("checkpoint-every", 0);
        if (out == null) {
            if (every != null || "latest".equals(resume)) {
                throw new UsageException((every != null ? "--checkpoint-every" : "--resume latest")
                        + " needs --out DIR (checkpoints go to DIR/checkpoints)");
            }
        } else {
            trainer.checkpoints(new CheckpointOptions(out.resolve("checkpoints"), steps, keep));
        }
        if (resume == null && restarted || "latest".equals(resume)) {
            trainer.resumeFromLatest();
        } else if (resume != null && restarted && out != null) {
            trainer.resumeFromLatestOr(Path.of(resume)); // what this run saved since, once it has
        } else if (resume != null) {
            trainer.resumeFrom(Path.of(resume));
        } else if (out != null) {
            try {
                new CheckpointStore(out.resolve("checkpoints"), keep).requireNone();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage() + " (--resume, or another --out)");
            }
        }
    }

    /** A bare {@code --resume} (last, or followed by another option) means {@code --resume latest}. */
    private static List<String> resumeDefaultsToLatest(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).equals("--resume") && (i + 1 == out.size() || out.get(i + 1).startsWith("--"))) {
                out.add(i + 1, "latest");
            }
        }
        return out;
    }

    /** A progress bar instead of log lines on a terminal; the phase table always; files under --out. */
    private static void watch(Trainer.Builder trainer, Path out, boolean progressBar) {
        if (progressBar) {
            trainer.logInterval(0).listener(new ProgressBar(System.out, false));
        }
        trainer.listener(new PhaseTimeline(out, System.out::println));
        if (out != null) {
            trainer.listener(new CsvMetrics(out)).listener(new TensorBoardMetrics(out.resolve("tensorboard")));
        }
    }

    /** {@code --random-crop P}: P >= 0, and only for the MNIST models; the model's own padding without it. */
    private static int cropPadding(Args a, ModelKind kind) {
        if (!a.has("random-crop")) {
            return kind.cropPadding();
        }
        int padding = a.integer("random-crop", 0);
        if (padding < 0) {
            throw new UsageException("--random-crop must be a number of pixels >= 0, got " + padding);
        }
        if (padding > 0 && !kind.classification()) {
            throw new UsageException("--random-crop applies to the MNIST models, not --model " + kind.cliName());
        }
        return padding;
    }

    /** {@code --memory-format}: channels-last only for the MNIST models' images; the model's own choice without it. */
    private static MemoryFormat memoryFormat(Args a, ModelKind kind, Device device) {
        if (!a.has("memory-format")) {
            return kind.memoryFormat(device);
        }
        String v = a.string("memory-format", "contiguous");
        if (v.equals("contiguous")) {
            return MemoryFormat.CONTIGUOUS;
        }
        if (!v.equals("channels-last")) {
            throw new UsageException("unknown --memory-format '" + v + "': expected contiguous or channels-last");
        }
        if (!kind.classification()) {
            throw new UsageException("--memory-format channels-last applies to the MNIST models' images, not --model "
                    + kind.cliName());
        }
        return MemoryFormat.CHANNELS_LAST;
    }

    /** {@code --normalize none} or {@code MEAN,STD} after ToTensor; the model's own transform without it. */
    static Transform transform(Args a, ModelKind kind) {
        if (!a.has("normalize")) {
            return kind.transform();
        }
        if (!kind.classification()) {
            throw new IllegalArgumentException("--normalize applies to the MNIST models, not --model " + kind.cliName());
        }
        String v = a.string("normalize", "none").trim();
        if (v.equals("none")) {
            return new ToTensor();
        }
        String[] f = v.split(",");
        try {
            if (f.length == 2) {
                return new ToTensor().andThen(new Normalize(Double.parseDouble(f[0]), Double.parseDouble(f[1])));
            }
        } catch (IllegalArgumentException e) {
            // reported below with the value and what was expected
        }
        throw new IllegalArgumentException("--normalize must be 'none' or MEAN,STD with STD > 0 (e.g. 0.1307,0.3081),"
                + " got '" + v + "'");
    }

    private static Optimizer optimizer(String name, Module model, double lr) {
        if (!Optimizers.NAMES.contains(name)) {
            throw new UsageException("unknown --optimizer '" + name + "': expected sgd, adam or adamw");
        }
        return Optimizers.create(name, model.parameters(), lr);
    }

    /** A DDP worker: the launcher (or a cluster's own) put RANK, WORLD_SIZE, MASTER_ADDR, ... in the environment. */
    private static Strategy ddp(Args a) {
        if (System.getenv("RANK") == null) {
            throw new UsageException("--strategy ddp runs one process per rank: start it with --nproc-per-node N"
                    + " or lockstep run, or set RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
        }
        ProcessGroupOptions options = ProcessGroupOptions.fromEnvironment();
        if (a.has("timeout")) {
            options = options.withTimeout(Duration.ofSeconds(a.positiveInt("timeout", 300)));
        }
        Device device = Devices.all().get(0);
        return new DDPStrategy(options, device, DistributedDataParallel.Options.defaults());
    }

    /** {@code train --strategy ddp --nproc-per-node N args} → {@code run --nproc-per-node N -- args}. */
    private static String[] launchArgs(List<String> argv, Args a) {
        List<String> run = new ArrayList<>(List.of("--nproc-per-node", a.string("nproc-per-node", null)));
        for (String option : List.of("timeout", "max-restarts")) {
            if (a.has(option)) {
                run.addAll(List.of("--" + option, a.string(option, null)));
            }
        }
        run.add("--");
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            String name = arg.startsWith("--") ? arg.substring(2).split("=", 2)[0] : "";
            if (List.of("nproc-per-node", "strategy", "timeout", "max-restarts").contains(name)) {
                i += arg.contains("=") ? 0 : 1; // skip the flag's value too
            } else {
                run.add(arg);
            }
        }
        return run.toArray(String[]::new);
    }

    /** The launcher gives each rank its share of the cores through OMP_NUM_THREADS. */
    private static int defaultThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null && env.matches("\\d+") && Integer.parseInt(env) > 0) {
            return Integer.parseInt(env);
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The MNIST shipped in the project, found through the lockstep script's home directory. */
    private static String defaultDataDir() {
        return Path.of(System.getProperty("lockstep.home", "."), "data", "mnist").toString();
    }

    /** Fails before training, not after it, when results could not be written. */
    private static Path checkWritable(Path out) {
        try {
            Files.createDirectories(out);
            Files.deleteIfExists(Files.createTempFile(out, ".write-test", ".tmp"));
            return out;
        } catch (IOException | SecurityException e) {
            throw new UsageException("--out " + out + " is not a writable directory (" + e.getMessage() + ")");
        }
    }
}
