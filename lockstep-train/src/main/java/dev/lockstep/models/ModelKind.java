package dev.lockstep.models;

import dev.lockstep.data.Augmented;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.data.datasets.MNIST;
import dev.lockstep.data.transforms.Normalize;
import dev.lockstep.data.transforms.RandomCrop;
import dev.lockstep.data.transforms.ToTensor;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.nn.Loss;
import dev.lockstep.nn.MSELoss;
import dev.lockstep.nn.Module;
import dev.lockstep.optim.LRSchedulers;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The four seed models, by their command-line names. */
public enum ModelKind {
    /**
     * Seed 000's model, optimiser and batch, trained as PyTorch users commonly train it beyond
     * what the seed does: its input normalised as in PyTorch's MNIST example (mean 0.1307, std
     * 0.3081), random crops with 1 pixel of padding, and the learning rate annealed along a
     * cosine to 0 over the run. The seed's own recipe reaches 97.40% after one epoch and 98.17%
     * after five at seed 1 (BENCHMARKS.md).
     */
    CNN(SimpleCNN::new, new ToTensor().andThen(new Normalize(0.1307, 0.3081)), true, 1, "cosine",
            MemoryFormat.CHANNELS_LAST),
    /** Seed 001. */
    MLP(() -> new TwoLayerNet(784, 256, 10), new ToTensor(), true, 0, "constant", MemoryFormat.CONTIGUOUS),
    /** Seed 002, with Normalize(0.5, 0.5). */
    SIMPLENN(() -> new TwoLayerNet(784, 128, 10), new ToTensor().andThen(new Normalize(0.5, 0.5)), true, 0, "constant",
            MemoryFormat.CONTIGUOUS),
    /** Seed 003, trained with MSE on {@link SyntheticRegression}. */
    REGRESSION(() -> new TwoLayerNet(SyntheticRegression.FEATURES, 100, 1), x -> x, false, 0, "constant",
            MemoryFormat.CONTIGUOUS);

    private final Supplier<Module> factory;
    private final Transform transform;
    private final boolean classification;
    private final int cropPadding;
    private final String lrSchedule;
    private final MemoryFormat cpuMemoryFormat;

    ModelKind(Supplier<Module> factory, Transform transform, boolean classification, int cropPadding,
              String lrSchedule, MemoryFormat cpuMemoryFormat) {
        this.factory = factory;
        this.transform = transform;
        this.classification = classification;
        this.cropPadding = cropPadding;
        this.lrSchedule = lrSchedule;
        this.cpuMemoryFormat = cpuMemoryFormat;
    }

    public Module create() {
        return factory.get();
    }

    /**
     * {train, test} as the seed trains on them: MNIST (or a dataset in its IDX layout) from
     * {@code dataDir} with the seed's transform, or the synthetic regression data of {@code seed}
     * (which reads no files: {@code dataDir} may then be null).
     */
    public Dataset[] datasets(Path dataDir, long seed) throws IOException {
        return datasets(dataDir, seed, transform, cropPadding);
    }

    /**
     * As {@link #datasets(Path, long)}, with another image transform and {@link RandomCrop}
     * padding (0: no crops) for the training images (MNIST models only). Crops fill with black
     * as the transform maps it, and are drawn from {@code seed}.
     */
    public Dataset[] datasets(Path dataDir, long seed, Transform transform, int cropPadding) throws IOException {
        if (!classification) {
            TensorDataset[] d = SyntheticRegression.generate(seed, 1000, 200);
            return new Dataset[] {d[0], d[1]};
        }
        Dataset train = MNIST.train(dataDir, transform);
        if (cropPadding > 0) {
            double black = transform.apply(Tensor.ofUnsignedBytes(new byte[1], 1, 1, 1, 1)).item();
            train = new Augmented(train, new RandomCrop(cropPadding, black), seed);
        }
        return new Dataset[] {train, MNIST.test(dataDir, transform)};
    }

    /** The {@link RandomCrop} padding of the recipe's training images; 0 for none. */
    public int cropPadding() {
        return cropPadding;
    }

    /** The recipe's learning-rate schedule, one of {@link LRSchedulers#NAMES}, stepped every batch. */
    public String lrSchedule() {
        return lrSchedule;
    }

    /**
     * The layout the recipe feeds its inputs in on {@code device}: channels-last for the CNN on the
     * CPU, where libtorch pools channels-last images 11–13× faster (BENCHMARKS.md); contiguous for
     * the other models, and on CUDA, where channels-last was not measured.
     */
    public MemoryFormat memoryFormat(Device device) {
        return device.isCuda() ? MemoryFormat.CONTIGUOUS : cpuMemoryFormat;
    }

    /** Cross-entropy for the classifiers, MSE for the regression. */
    public Loss loss() {
        return classification ? new CrossEntropyLoss() : new MSELoss();
    }

    /** The image transform of the seed (MNIST models only). */
    public Transform transform() {
        return transform;
    }

    /** Class scores and accuracy (true) or a regression value with MSE (false). */
    public boolean classification() {
        return classification;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@code --model} value. */
    public static ModelKind parse(String name) {
        for (ModelKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': expected one of "
                + Arrays.stream(values()).map(ModelKind::cliName).collect(Collectors.joining(", ")));
    }
}
