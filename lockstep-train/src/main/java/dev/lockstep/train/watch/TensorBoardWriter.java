package dev.lockstep.train.watch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes scalars to a TensorBoard event file, {@code DIR/events.out.tfevents.<seconds>.<host>}
 * (TensorBoard finds files by that name). Events are buffered until {@link #flush()}.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final Path file;
    private final OutputStream out;

    public TensorBoardWriter(Path dir) throws IOException {
        Files.createDirectories(dir);
        long now = System.currentTimeMillis();
        this.file = dir.resolve("events.out.tfevents." + now / 1000 + "." + hostName());
        this.out = new BufferedOutputStream(Files.newOutputStream(file));
        TfRecord.write(out, EventProto.fileVersion(now / 1000.0));
    }

    public Path file() {
        return file;
    }

    /** TensorBoard stores scalars as 32-bit floats. */
    public void scalar(String tag, long step, double value) throws IOException {
        scalar(tag, step, value, System.currentTimeMillis());
    }

    /** A scalar recorded earlier, at {@code wallMillis} (milliseconds since the epoch). */
    public void scalar(String tag, long step, double value, long wallMillis) throws IOException {
        TfRecord.write(out, EventProto.scalar(wallMillis / 1000.0, step, tag, (float) value));
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }
}
