package dev.lockstep.data.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of MNIST: a big-endian magic (0x0000, type 0x08 = unsigned byte, number of
 * dimensions), the dimensions as big-endian ints, then the bytes. Plain or gzipped files.
 */
final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

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
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(maybeGunzip(raw, file))) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xFF;
            int ndims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || ndims != expectedDims) {
                throw new InvalidDataException(file, String.format(
                        "wrong magic number 0x%08X: expected 0x%08X (IDX, unsigned bytes, %d dimensions)",
                        magic, (UNSIGNED_BYTE << 8) | expectedDims, expectedDims));
            }
            int[] dims = new int[ndims];
            long total = 1;
            for (int i = 0; i < ndims; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new InvalidDataException(file, "negative dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new InvalidDataException(file, "too large: " + total + " bytes");
            }
            byte[] data = new byte[(int) total];
            try {
                in.readFully(data);
            } catch (EOFException e) {
                throw new InvalidDataException(file, "truncated: header promises " + total + " data bytes");
            }
            if (in.read() != -1) {
                throw new InvalidDataException(file, "trailing bytes after the " + total + " the header promises");
            }
            return new Contents(dims, data);
        } catch (EOFException e) {
            throw new InvalidDataException(file, "truncated: ends inside the IDX header");
        } catch (ZipException e) {
            throw new InvalidDataException(file, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (NoSuchFileException e) {
            throw new InvalidDataException(file, "no such file");
        }
    }

    private static InputStream maybeGunzip(InputStream in, Path file) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
