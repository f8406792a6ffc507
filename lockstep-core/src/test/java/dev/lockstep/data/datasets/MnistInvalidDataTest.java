package dev.lockstep.data.datasets;

import static dev.lockstep.data.datasets.IdxWriter.gzip;
import static dev.lockstep.data.datasets.IdxWriter.idx;
import static dev.lockstep.data.datasets.IdxWriter.images;
import static dev.lockstep.data.datasets.IdxWriter.labels;
import static dev.lockstep.data.datasets.IdxWriter.raw;
import static dev.lockstep.data.datasets.IdxWriter.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.transforms.ToTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small IDX files, good and bad, for the test split; every failure names its file and what was expected. */
class MnistInvalidDataTest {
    @TempDir
    Path dir;

    private Path imagesFile(byte[] bytes) throws IOException {
        return write(dir.resolve("t10k-images-idx3-ubyte"), bytes);
    }

    private Path labelsFile(byte[] bytes) throws IOException {
        return write(dir.resolve("t10k-labels-idx1-ubyte"), bytes);
    }

    private void assertRejected(Path file, String expected) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> MNIST.test(dir, new ToTensor()));
        assertTrue(e.getMessage().contains(file.toString()), "names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), "says '" + expected + "': " + e.getMessage());
    }

    @Test
    void loadsSmallFilesPlainAndGzipped() throws IOException {
        imagesFile(images(3));
        write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(0, 9, 5)));
        MNIST data = MNIST.test(dir, x -> x);
        assertArrayEquals(new long[] {3, 1, 28, 28}, data.inputs().shape());
        assertArrayEquals(new long[] {0, 9, 5}, data.targets().toLongArray());
        byte[] pixels = data.inputs().toBytes();
        assertEquals(2, pixels[28 * 28 + 1]); // image 1, pixel 1
        assertEquals((byte) 255, pixels[255]);
    }

    @Test
    void missingDirectory() {
        dir = dir.resolve("absent");
        assertRejected(dir, "not a directory");
    }

    @Test
    void missingFile() throws IOException {
        imagesFile(images(2));
        assertRejected(dir.resolve("t10k-labels-idx1-ubyte.gz"), "missing (neither t10k-labels-idx1-ubyte nor");
    }

    @Test
    void truncatedInTheHeader() throws IOException {
        imagesFile(images(2));
        Path file = labelsFile(Arrays.copyOf(labels(1, 2), 6));
        assertRejected(file, "truncated: ends inside the IDX header (8 bytes expected)");
    }

    @Test
    void truncatedInTheData() throws IOException {
        byte[] full = images(3);
        Path file = imagesFile(Arrays.copyOf(full, full.length - 28 * 28));
        labelsFile(labels(1, 2, 3));
        assertRejected(file, "truncated: header promises 2352 data bytes, found 1568");
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = gzip(images(3));
        Path file = write(dir.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        labelsFile(labels(1, 2, 3));
        assertRejected(file, "truncated gzip data");
    }

    @Test
    void trailingBytes() throws IOException {
        imagesFile(images(1));
        Path file = labelsFile(Arrays.copyOf(labels(4), 10));
        assertRejected(file, "trailing bytes after the 1 the header promises");
    }

    @Test
    void wrongMagicNumber() throws IOException {
        imagesFile(images(2));
        Path file = labelsFile(raw(0x0803, new int[] {2, 1, 1}, new byte[] {1, 2}));
        assertRejected(file, "wrong magic number 0x00000803: expected 0x00000801");
    }

    @Test
    void notUnsignedBytes() throws IOException {
        Path file = imagesFile(raw(0x0D03, new int[] {1, 28, 28}, new byte[4 * 28 * 28])); // 0x0D: float32
        labelsFile(labels(1));
        assertRejected(file, "wrong magic number 0x00000D03: expected 0x00000803");
    }

    @Test
    void corruptGzipHeader() throws IOException {
        Path file = write(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 0, 0, 0, 0, 0, 0, 0, 0});
        labelsFile(labels(1));
        assertRejected(file, "corrupt gzip data");
    }

    @Test
    void corruptGzipChecksum() throws IOException {
        imagesFile(images(2));
        byte[] gz = gzip(labels(1, 2));
        gz[gz.length - 8] ^= 0x01; // the CRC-32 of the trailer
        Path file = write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gz);
        assertRejected(file, "corrupt gzip data");
    }

    @Test
    void imageAndLabelCountsDiffer() throws IOException {
        imagesFile(images(3));
        Path file = labelsFile(labels(1, 2));
        assertRejected(file, "2 labels for 3 images in t10k-images-idx3-ubyte");
    }

    @Test
    void labelOutOfRange() throws IOException {
        imagesFile(images(3));
        Path file = labelsFile(labels(1, 10, 2));
        assertRejected(file, "label 10 at index 1 is out of range: expected 0..9");
    }

    @Test
    void wrongImageSize() throws IOException {
        Path file = imagesFile(idx(new int[] {2, 27, 28}, new byte[2 * 27 * 28]));
        labelsFile(labels(1, 2));
        assertRejected(file, "images are 27x28, expected 28x28");
    }

    @Test
    void headerTooLargeForAnArray() throws IOException {
        // 2^30 * 2^30 * 16 wraps to 0 in a long: the size must be checked as it is multiplied.
        Path file = imagesFile(raw(0x0803, new int[] {1 << 30, 1 << 30, 16}, new byte[0]));
        labelsFile(labels(1));
        assertRejected(file, "too large");
    }
}
