package dev.lockstep.data.datasets;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * MNIST (or any dataset in its IDX layout: 28×28 unsigned-byte images, labels 0–9) read from a
 * directory holding {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz}.
 * Images are [N, 1, 28, 28] after the transform; targets are int64 class indices.
 */
public final class MNIST extends TensorDataset {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int CLASSES = 10;

    private MNIST(Tensor images, Tensor labels) {
        super(images, labels);
    }

    /** The 60,000 training examples (or however many the directory's train files hold). */
    public static MNIST train(Path dir, Transform transform) throws IOException {
        return load(dir, "train", transform);
    }

    /** The 10,000 test examples. */
    public static MNIST test(Path dir, Transform transform) throws IOException {
        return load(dir, "t10k", transform);
    }

    private static MNIST load(Path dir, String split, Transform transform) throws IOException {
        Objects.requireNonNull(transform, "transform (use ToTensor for the usual float images)");
        if (!Files.isDirectory(dir)) {
            throw new InvalidDataException(dir, "not a directory (expected one holding the MNIST IDX files)");
        }
        Path imagesFile = find(dir, split + "-images-idx3-ubyte");
        Path labelsFile = find(dir, split + "-labels-idx1-ubyte");
        Idx.Contents images = Idx.read(imagesFile, 3);
        Idx.Contents labels = Idx.read(labelsFile, 1);
        if (images.dims()[1] != ROWS || images.dims()[2] != COLS) {
            throw new InvalidDataException(imagesFile, "images are " + images.dims()[1] + "x" + images.dims()[2]
                    + ", expected " + ROWS + "x" + COLS);
        }
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw new InvalidDataException(labelsFile, labels.dims()[0] + " labels for " + n + " images in " + imagesFile.getFileName());
        }
        long[] targets = new long[n];
        for (int i = 0; i < n; i++) {
            int label = labels.data()[i] & 0xFF;
            if (label >= CLASSES) {
                throw new InvalidDataException(labelsFile, "label " + label + " at index " + i
                        + " is out of range: expected 0.." + (CLASSES - 1));
            }
            targets[i] = label;
        }
        Tensor pixels = Tensor.ofUnsignedBytes(images.data(), n, 1, ROWS, COLS);
        return new MNIST(transform.apply(pixels), Tensor.of(targets, n));
    }

    private static Path find(Path dir, String name) throws InvalidDataException {
        for (Path candidate : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new InvalidDataException(dir.resolve(name + ".gz"), "missing (neither " + name + " nor " + name + ".gz is in " + dir + ")");
    }
}
