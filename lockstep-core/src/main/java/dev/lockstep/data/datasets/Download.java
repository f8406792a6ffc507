package dev.lockstep.data.datasets;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.ZipException;

/**
 * Fetches data files over HTTP(S). A file appears under its final name only once its content is
 * verified and on disk, so an interrupted or corrupt download never looks like a good file.
 */
final class Download {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();

    private Download() {
    }

    /** Whether {@code file} exists and its content (gunzipped, if gzip) has the MD5 {@code md5}. */
    static boolean isValid(Path file, String md5) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return contentMd5(file).equals(md5);
        } catch (ZipException | EOFException e) {
            return false;
        }
    }

    /** Downloads {@code url} to {@code target}, replacing it, if its content has the MD5 {@code md5}. */
    static void fetch(URI url, Path target, String md5) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // In the same directory, so the final move is a rename; hidden, so it never looks like data.
        Path part = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build();
            HttpResponse<Path> response;
            try {
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofFile(part,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (IOException e) {
                // Transport errors (refused, reset, timeout) often carry no message of their own.
                throw new IOException("GET " + url + " for " + target + " failed: " + e, e);
            }
            if (response.statusCode() != 200) {
                throw new IOException("GET " + url + " for " + target + ": HTTP status " + response.statusCode());
            }
            String actual;
            try {
                actual = contentMd5(part);
            } catch (ZipException | EOFException e) {
                throw new InvalidDataException(target, "download from " + url + " is not valid gzip (" + e.getMessage() + ")");
            }
            if (!actual.equals(md5)) {
                throw new InvalidDataException(target, "download from " + url + " has content MD5 " + actual
                        + ", expected " + md5);
            }
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + url + " to " + target);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Makes the rename durable; some platforms (Windows) cannot open a directory, and need not. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // the rename is atomic regardless; only its durability across a power loss is platform-dependent
        }
    }

    /** Hex MD5 of the file's content, gunzipped first when it is gzip. */
    static String contentMd5(Path file) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides MD5", e);
        }
        try (InputStream in = Idx.open(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) != -1; ) {
                md5.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }
}
