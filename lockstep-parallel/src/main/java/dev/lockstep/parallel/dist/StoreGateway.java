package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.logging.Logger;

/**
 * Rank 0's door to the rendezvous store: listens on the master address and port, and lets a
 * connection through to the store (which listens on loopback only) once it has proved the token.
 */
final class StoreGateway implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreGateway.class.getName());
    /** A peer has this long to complete the handshake, so that a silent one holds no thread for long. */
    static final int HANDSHAKE_MILLIS = 30_000;

    private final ServerSocket server;
    private final int storePort;
    private final Handshake handshake;

    StoreGateway(ServerSocket server, int storePort, Handshake handshake) {
        this.server = server;
        this.storePort = storePort;
        this.handshake = handshake;
        Relay.daemon(this::acceptLoop, "lockstep-rdzv-gateway:" + server.getLocalPort()).start();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket peer = server.accept();
                Relay.daemon(() -> admit(peer), "lockstep-rdzv-admit").start();
            } catch (IOException e) {
                // closed: the process group is shutting down
            }
        }
    }

    private void admit(Socket peer) {
        String who = String.valueOf(peer.getRemoteSocketAddress());
        try {
            peer.setTcpNoDelay(true);
            peer.setSoTimeout(HANDSHAKE_MILLIS);
            if (!handshake.accept(peer)) {
                LOG.warning("refused a rendezvous connection from " + who + ": it did not prove the job's"
                        + " token (LOCKSTEP_RDZV_TOKEN / --rdzv-token)");
                peer.close();
                return;
            }
            peer.setSoTimeout(0);
            Socket store = new Socket(InetAddress.getLoopbackAddress(), storePort);
            store.setTcpNoDelay(true);
            Relay.start(peer, store, "lockstep-rdzv " + who);
        } catch (IOException e) {
            LOG.fine(() -> "rendezvous connection from " + who + " ended during the handshake: " + e);
            try {
                peer.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** Stops admitting new connections; admitted ones stay open. */
    @Override
    public void close() throws IOException {
        server.close();
    }
}
