package dev.lockstep.parallel.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.parallel.Workers;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RendezvousStoreTest {

    @Test
    void aLoopbackJobListensOnLoopbackOnly() throws IOException {
        int port = ProcessGroupOptions.freePort();
        try (ProcessGroup group = ProcessGroup.init(ProcessGroupOptions.of("127.0.0.1", port, 0, 1))) {
            Tensor t = Tensor.ones(2);
            group.allReduce(t, ReduceOp.SUM);
            List<String> listening = listeningAddressesOfThisProcess();
            assertFalse(listening.isEmpty(), "the store and Gloo should be listening");
            for (String address : listening) {
                assertTrue(LOOPBACK.contains(address), "a socket of this process listens on " + address
                        + " (hex, /proc/net/tcp*), which is not loopback: " + listening);
            }
        }
    }

    @Test
    void theHandshakeAdmitsTheRightTokenOnly() throws Exception {
        assertTrue(handshake("secret", "secret"));
        assertFalse(handshake("secret", "Secret"));
        assertFalse(handshake("secret", ""));
    }

    /** Runs server (token a) and client (token b) over loopback: did the server admit the client? */
    private static boolean handshake(String a, String b) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> admitted = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    return new Handshake(a).accept(s);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                if (a.equals(b)) {
                    new Handshake(b).connect(c);
                } else {
                    Handshake.RefusedException e = assertThrows(Handshake.RefusedException.class,
                            () -> new Handshake(b).connect(c));
                    assertTrue(e.getMessage().contains("refused this process's rendezvous token"), e.getMessage());
                }
            }
            boolean result = admitted.get(2, TimeUnit.MINUTES);
            assertEquals(a.equals(b), result);
            return result;
        }
    }

    private static final Set<String> LOOPBACK = Set.of("0100007F", "00000000000000000000000001000000",
            "0000000000000000FFFF00000100007F");

    /** Local addresses (hex, as /proc/net/tcp writes them) of the sockets this process listens on. */
    private static List<String> listeningAddressesOfThisProcess() throws IOException {
        Set<String> ours = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    ours.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // a descriptor of another thread went away while listing
                }
            }
        }
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && ours.contains("socket:[" + f[9] + "]")) {
                    addresses.add(f[1].substring(0, f[1].indexOf(':')));
                }
            }
        }
        return addresses;
    }
}
