package dev.lockstep.data.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lockstep.data.transforms.ToTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MNIST#download} against a local HTTP server serving the bundled files. */
class MnistDownloadTest {
    private static final String[] NAMES = {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    @TempDir
    Path tmp;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private URI mirror;

    @BeforeEach
    void serveBundledFiles() throws IOException {
        for (String name : NAMES) {
            served.put(name, Files.readAllBytes(BundledMnist.dir().resolve(name)));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/mnist/", this::handle);
        server.start();
        mirror = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/mnist/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String name = exchange.getRequestURI().getPath().substring("/mnist/".length());
        byte[] body = served.get(name);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
        }
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    /** Puts valid copies of every file but {@code except} into {@code dir}, so a test fetches only that one. */
    private static void preload(Path dir, String except) throws IOException {
        Files.createDirectories(dir);
        for (String name : NAMES) {
            if (!name.equals(except)) {
                Files.copy(BundledMnist.dir().resolve(name), dir.resolve(name));
            }
        }
    }

    @Test
    void downloadsVerifiesAndThenSkipsWhatIsPresent() throws IOException {
        Path dir = tmp.resolve("nested").resolve("mnist");
        MNIST.download(dir, mirror);
        assertEquals(4, requests.get());
        assertEquals(new TreeSet<>(Set.of(NAMES)), listing(dir), "the four files and nothing else");
        assertEquals("27ae3e4e09519cfbb04c329615203637", Download.contentMd5(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        assertEquals(10_000, MNIST.test(dir, new ToTensor()).size());

        MNIST.download(dir, URI.create(mirror.toString().replaceAll("/$", ""))); // a base without the slash works too
        assertEquals(4, requests.get(), "valid files are not fetched again");
    }

    @Test
    void plainFilesCountAsPresent() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[3]);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxWriter.gunzip(served.get(NAMES[3])));
        MNIST.download(dir, mirror);
        assertEquals(0, requests.get());
    }

    @Test
    void replacesAnInvalidFile() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[3]);
        Files.write(dir.resolve(NAMES[3]), IdxWriter.gzip(IdxWriter.labels(1, 2, 3)));
        MNIST.download(dir, mirror);
        assertEquals(1, requests.get());
        assertTrue(Download.isValid(dir.resolve(NAMES[3]), "27ae3e4e09519cfbb04c329615203637"));
    }

    @Test
    void rejectsWrongContentAndLeavesNothingBehind() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[3]);
        byte[] labels = IdxWriter.gunzip(served.get(NAMES[3]));
        labels[100] = (byte) ((labels[100] + 1) % 10); // still a well-formed file, with one label changed
        served.put(NAMES[3], IdxWriter.gzip(labels));

        InvalidDataException e = assertThrows(InvalidDataException.class, () -> MNIST.download(dir, mirror));
        assertTrue(e.getMessage().contains(dir.resolve(NAMES[3]).toString()), e.getMessage());
        assertTrue(e.getMessage().contains(mirror.resolve(NAMES[3]).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected 27ae3e4e09519cfbb04c329615203637"), e.getMessage());
        assertEquals(new TreeSet<>(Set.of(NAMES[0], NAMES[1], NAMES[2])), listing(dir));
    }

    @Test
    void rejectsADownloadThatIsNotGzip() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[2]);
        served.put(NAMES[2], "<Error>AccessDenied</Error>".getBytes());

        InvalidDataException e = assertThrows(InvalidDataException.class, () -> MNIST.download(dir, mirror));
        assertTrue(e.getMessage().contains(dir.resolve(NAMES[2]).toString()), e.getMessage());
        assertFalse(Files.exists(dir.resolve(NAMES[2])));
        assertEquals(3, listing(dir).size());
    }

    @Test
    void reportsAnHttpErrorAndLeavesNothingBehind() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[1]);
        served.remove(NAMES[1]);

        IOException e = assertThrows(IOException.class, () -> MNIST.download(dir, mirror));
        assertTrue(e.getMessage().contains("HTTP status 404"), e.getMessage());
        assertTrue(e.getMessage().contains(mirror.resolve(NAMES[1]).toString()), e.getMessage());
        assertEquals(3, listing(dir).size());
    }

    @Test
    void reportsAnUnreachableMirror() throws IOException {
        Path dir = tmp.resolve("mnist");
        preload(dir, NAMES[3]);
        server.stop(0);

        IOException e = assertThrows(IOException.class, () -> MNIST.download(dir, mirror));
        assertTrue(e.getMessage().contains(mirror.resolve(NAMES[3]).toString()), e.getMessage());
        assertEquals(3, listing(dir).size());
    }
}
