package dev.lockstep.data.datasets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files (and broken ones) for tests. */
final class IdxWriter {
    private IdxWriter() {
    }

    /** An unsigned-byte IDX file's bytes: magic 0x0000 08 ndims, the dimensions, then {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        return raw(0x0800 | dims.length, dims, data);
    }

    /** IDX bytes with any magic number, dimensions and payload, consistent or not. */
    static byte[] raw(int magic, int[] dims, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code n} 28x28 images whose pixels are (image + pixel) mod 256. */
    static byte[] images(int n) {
        byte[] data = new byte[n * 28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i / (28 * 28) + i % (28 * 28));
        }
        return idx(new int[] {n, 28, 28}, data);
    }

    static byte[] labels(int... labels) {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            data[i] = (byte) labels[i];
        }
        return idx(new int[] {labels.length}, data);
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }
}
