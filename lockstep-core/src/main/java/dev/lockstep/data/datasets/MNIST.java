package dev.lockstep.data.datasets;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.data.transforms.Transform;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * MNIST (or any dataset in its IDX layout: 28×28 unsigned-byte images, labels 0–9) read from a
 * directory holding {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz}.
 * Images are [N, 1, 28, 28] after the transform; targets are int64 class indices.
 * {@link #download} fetches the four files where they are missing.
 */
public final class MNIST extends TensorDataset {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int CLASSES = 10;
    /** Where {@link #download(Path)} fetches from: the mirror torchvision uses. */
    public static final URI DEFAULT_MIRROR = URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/");

    /** The files and the MD5 of their uncompressed content, the same for every mirror and compression. */
    private record File(String name, String md5) {
    }

    private static final List<File> FILES = List.of(
            new File("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
            new File("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
            new File("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
            new File("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"));

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

    /** {@link #download(Path, URI)} from {@link #DEFAULT_MIRROR}. */
    public static void download(Path dir) throws IOException {
        download(dir, DEFAULT_MIRROR);
    }

    /**
     * Makes sure {@code dir} (created if need be) holds the four MNIST files, fetching
     * {@code <mirror>/<name>.gz} for each one that is missing or whose content does not match the
     * canonical MD5. A file is written under a temporary name, verified, synced and then renamed,
     * so a failed download leaves nothing behind; the failure names the file and the URL.
     */
    public static void download(Path dir, URI mirror) throws IOException {
        URI base = mirror.toString().endsWith("/") ? mirror : URI.create(mirror + "/");
        for (File f : FILES) {
            Path gz = dir.resolve(f.name() + ".gz");
            Path plain = dir.resolve(f.name());
            // Loading prefers the .gz, so a plain file counts only when there is no .gz beside it.
            boolean present = Download.isValid(gz, f.md5()) || !Files.exists(gz) && Download.isValid(plain, f.md5());
            if (!present) {
                Download.fetch(base.resolve(f.name() + ".gz"), gz, f.md5());
            }
        }
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
