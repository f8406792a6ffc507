package dev.lockstep.data.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of MNIST: a big-endian magic (0x0000, type 0x08 = unsigned byte, number of
 * dimensions), the dimensions as big-endian ints, then the bytes. Plain or gzipped files.
 */
final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /** Header and payload of one IDX file. */
    record Contents(int[] dims, byte[] data) {
    }

    private Idx() {
    }

    /** Reads an unsigned-byte IDX file with {@code expectedDims} dimensions, checking every length. */
    static Contents read(Path file, int expectedDims) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidDataException(file, "no such file");
        }
        try (DataInputStream in = new DataInputStream(open(file))) {
            int[] dims = readHeader(in, file, expectedDims);
            long total = 1;
            for (int d : dims) {
                total *= d; // stays below 2^62: each factor is below 2^31, and so is total before it
                if (total > MAX_BYTES) {
                    throw new InvalidDataException(file, "too large: header promises over " + MAX_BYTES + " bytes");
                }
            }
            // readNBytes grows its buffer as data arrives, so a lying header cannot force a huge allocation.
            byte[] data = in.readNBytes((int) total);
            if (data.length < total) {
                throw new InvalidDataException(file, "truncated: header promises " + total + " data bytes, found "
                        + data.length);
            }
            if (in.read() != -1) {
                throw new InvalidDataException(file, "trailing bytes after the " + total + " the header promises");
            }
            return new Contents(dims, data);
        } catch (ZipException e) {
            throw new InvalidDataException(file, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (EOFException e) {
            // Only a gzip stream cut short gets here: plain data is checked by length above.
            throw new InvalidDataException(file, "truncated gzip data (" + e.getMessage() + ")");
        }
    }

    private static int[] readHeader(DataInputStream in, Path file, int expectedDims) throws IOException {
        try {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xFF;
            int ndims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || ndims != expectedDims) {
                throw new InvalidDataException(file, String.format(
                        "wrong magic number 0x%08X: expected 0x%08X (IDX, unsigned bytes, %d dimensions)",
                        magic, (UNSIGNED_BYTE << 8) | expectedDims, expectedDims));
            }
            int[] dims = new int[ndims];
            for (int i = 0; i < ndims; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new InvalidDataException(file, "negative dimension " + dims[i]);
                }
            }
            return dims;
        } catch (EOFException e) {
            throw new InvalidDataException(file, "truncated: ends inside the IDX header (" + (4 + 4 * expectedDims)
                    + " bytes expected)");
        }
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            return (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(in, 1 << 16) : in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }
}
