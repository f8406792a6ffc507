package dev.lockstep.parallel.dist;

import dev.lockstep.tensor.MemoryScope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.logging.Logger;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.IntOptional;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * The job's c10d store, reachable only by processes that know the job's token. Rank 0 runs the
 * native TCPStore on a loopback socket and a {@link StoreGateway} on the master address and
 * port; every other rank's native client goes through a {@link StoreTunnel}. c10d's store itself
 * has no authentication and listens on every interface; this is what keeps it off the network.
 */
final class RendezvousStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RendezvousStore.class.getName());

    private final TCPStore store;
    private final AutoCloseable door;

    private RendezvousStore(TCPStore store, AutoCloseable door) {
        this.store = store;
        this.door = door;
    }

    /** The native store (pinned for the life of the process). */
    TCPStore store() {
        return store;
    }

    static RendezvousStore join(ProcessGroupOptions o) {
        Handshake handshake = new Handshake(o.token());
        return o.rank() == 0 ? serve(o, handshake) : reach(o, handshake);
    }

    private static RendezvousStore serve(ProcessGroupOptions o, Handshake handshake) {
        String bind = o.bindAddress().isEmpty() ? o.masterAddr() : o.bindAddress();
        ServerSocket gate;
        try {
            gate = new ServerSocket();
            gate.bind(new InetSocketAddress(InetAddress.getByName(bind), o.masterPort()), 128);
        } catch (IOException e) {
            throw new DistributedException(0, "could not serve the rendezvous store on port " + o.masterPort() + " of " + bind
                    + " (is the port in use? is " + bind + " an address of this host? LOCKSTEP_RDZV_BIND"
                    + " picks another): " + e.getMessage(), e);
        }
        if (o.token().isEmpty() && !gate.getInetAddress().isLoopbackAddress()) {
            LOG.warning("the rendezvous store on " + bind + ":" + o.masterPort() + " admits any process that"
                    + " reaches it: set the same LOCKSTEP_RDZV_TOKEN (or --rdzv-token) on every node");
        }
        try {
            LoopbackListener listener = LoopbackListener.open();
            TCPStoreOptions so = options(o, listener.port());
            so.isServer(true);
            so.masterListenFd(new IntOptional(listener.fd()));
            TCPStore store = MemoryScope.pin(new TCPStore("127.0.0.1", so));
            return new RendezvousStore(store, new StoreGateway(gate, listener.port(), handshake));
        } catch (IOException | RuntimeException e) {
            closeQuietly(gate);
            throw new DistributedException(0, "could not start the rendezvous store: " + ProcessGroup.firstLine(e), e);
        }
    }

    private static RendezvousStore reach(ProcessGroupOptions o, Handshake handshake) {
        long deadline = System.nanoTime() + o.timeout().toNanos();
        StoreTunnel tunnel;
        try {
            InetSocketAddress master = new InetSocketAddress(InetAddress.getByName(o.masterAddr()), o.masterPort());
            tunnel = StoreTunnel.open(master, handshake, deadline);
        } catch (Handshake.RefusedException e) {
            throw new DistributedException(o.rank(), "rendezvous at " + o.masterAddr() + ":" + o.masterPort()
                    + " failed: " + e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new DistributedException(o.rank(), "MASTER_ADDR " + o.masterAddr() + " does not resolve", e);
        } catch (IOException e) {
            throw new DistributedException(o.rank(), "could not reach the master at " + o.masterAddr() + ":"
                    + o.masterPort() + " within " + o.timeout() + " (is rank 0 running, MASTER_ADDR/MASTER_PORT"
                    + " right?): " + e.getMessage(), e);
        }
        try {
            TCPStoreOptions so = options(o, tunnel.port());
            so.isServer(false);
            return new RendezvousStore(MemoryScope.pin(new TCPStore("127.0.0.1", so)), tunnel);
        } catch (RuntimeException e) {
            closeQuietly(tunnel);
            throw new DistributedException(o.rank(), "could not open the rendezvous store through the master at "
                    + o.masterAddr() + ":" + o.masterPort() + ": " + ProcessGroup.firstLine(e), e);
        }
    }

    private static TCPStoreOptions options(ProcessGroupOptions o, int port) {
        TCPStoreOptions so = new TCPStoreOptions();
        so.port((short) port);
        so.waitWorkers(false);
        so.timeout(new Milliseconds(o.timeout().toMillis()));
        return so;
    }

    /** Stops admitting new connections (the store and open connections live until the process exits). */
    @Override
    public void close() {
        closeQuietly(door);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing a listener: nothing is lost if it fails
        }
    }
}
