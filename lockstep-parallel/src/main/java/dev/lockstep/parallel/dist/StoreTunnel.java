package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.logging.Logger;

/**
 * A non-zero rank's way to the rendezvous store: the native store client connects to this
 * loopback port, and each connection goes on to rank 0's gateway after the token handshake.
 */
final class StoreTunnel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreTunnel.class.getName());

    private final ServerSocket local;
    private final InetSocketAddress master;
    private final Handshake handshake;

    private StoreTunnel(ServerSocket local, InetSocketAddress master, Handshake handshake) {
        this.local = local;
        this.master = master;
        this.handshake = handshake;
        Relay.daemon(this::acceptLoop, "lockstep-rdzv-tunnel:" + local.getLocalPort()).start();
    }

    /**
     * Opens the tunnel once one authenticated connection to the master has succeeded, so that an
     * unreachable master or a wrong token is reported here, in our words.
     *
     * @throws Handshake.RefusedException at once if the master refuses the token
     * @throws IOException                if the master is not reachable before {@code deadlineNanos}
     */
    static StoreTunnel open(InetSocketAddress master, Handshake handshake, long deadlineNanos) throws IOException {
        for (long pause = 50; ; pause = Math.min(pause * 2, 1000)) {
            try {
                connect(master, handshake).close();
                break;
            } catch (Handshake.RefusedException e) {
                throw e;
            } catch (IOException e) {
                if (System.nanoTime() + pause * 1_000_000 > deadlineNanos) {
                    throw e;
                }
                try {
                    Thread.sleep(pause); // retry pacing while rank 0 starts, not synchronisation
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the master", interrupted);
                }
            }
        }
        ServerSocket local = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        return new StoreTunnel(local, master, handshake);
    }

    int port() {
        return local.getLocalPort();
    }

    private static Socket connect(InetSocketAddress master, Handshake handshake) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(master, StoreGateway.HANDSHAKE_MILLIS);
            s.setTcpNoDelay(true);
            s.setSoTimeout(StoreGateway.HANDSHAKE_MILLIS);
            handshake.connect(s);
            s.setSoTimeout(0);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void acceptLoop() {
        while (!local.isClosed()) {
            try {
                Socket client = local.accept();
                client.setTcpNoDelay(true);
                try {
                    Relay.start(client, connect(master, handshake), "lockstep-rdzv " + master);
                } catch (IOException e) {
                    LOG.warning("could not reach the rendezvous store at " + master + ": " + e.getMessage());
                    client.close();
                }
            } catch (IOException e) {
                // closed: the process group is shutting down
            }
        }
    }

    /** Stops accepting new local connections; open ones stay. */
    @Override
    public void close() throws IOException {
        local.close();
    }
}
