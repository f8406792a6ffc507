package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A listening socket on 127.0.0.1 whose file descriptor is handed to the native TCPStore server
 * ({@code masterListenFd}): c10d's store otherwise listens on every interface, with no way to
 * name one, and has no authentication. Linux only, like the natives Lockstep ships: the
 * descriptor number is found through /proc, as Java does not expose it.
 */
final class LoopbackListener {
    // The store uses the descriptor without duplicating it and lives until the process exits, so
    // the channels must too: closed or collected, their descriptor would be reused under it.
    private static final List<ServerSocketChannel> HELD_BY_STORES = Collections.synchronizedList(new ArrayList<>());

    private final int port;
    private final int fd;

    private LoopbackListener(int port, int fd) {
        this.port = port;
        this.fd = fd;
    }

    static LoopbackListener open() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            LoopbackListener listener = new LoopbackListener(port, descriptor(port));
            HELD_BY_STORES.add(channel);
            return listener;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    int fd() {
        return fd;
    }

    /** The descriptor of this process's socket listening on {@code port}: socket inode, then fd. */
    private static int descriptor(int port) throws IOException {
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        List<String> inodes = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                // local_address ends in the port, state 0A is LISTEN, field 9 the inode
                if (f.length > 9 && f[1].endsWith(suffix) && f[3].equals("0A")) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException closedMeanwhile) {
                    // another thread's descriptor went away while we listed them
                }
            }
        }
        throw new IOException("cannot find the descriptor of this process's socket on 127.0.0.1:" + port
                + " in /proc (Lockstep's rendezvous needs Linux with /proc mounted)");
    }
}
