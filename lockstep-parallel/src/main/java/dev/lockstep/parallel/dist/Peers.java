package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;

/**
 * Who the other ranks are: exchanged through the store before any collective, so that ranks that
 * disagree about WORLD_SIZE fail at once with a clear error, and so that when a collective fails
 * we can tell which peer on this host has died (Gloo's own message names only an address).
 */
final class Peers {
    private static final String PREFIX = "lockstep/peer/";

    private final int rank;
    private final String[] hosts;
    private final long[] pids;

    private Peers(int rank, String[] hosts, long[] pids) {
        this.rank = rank;
        this.hosts = hosts;
        this.pids = pids;
    }

    /** Publishes "worldSize host pid" for this rank and reads every other rank's entry. */
    static Peers exchange(TCPStore store, ProcessGroupOptions o) {
        String host = hostName();
        put(store, PREFIX + o.rank(), o.worldSize() + " " + host + " " + ProcessHandle.current().pid());
        // Rank 0's entry first: a rank started with another WORLD_SIZE fails now, not at the timeout.
        await(store, o, List.of(0));
        checkWorldSize(o, 0, get(store, PREFIX + 0));
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < o.worldSize(); r++) {
            all.add(r);
        }
        await(store, o, all);
        String[] hosts = new String[o.worldSize()];
        long[] pids = new long[o.worldSize()];
        for (int r = 0; r < o.worldSize(); r++) {
            String entry = get(store, PREFIX + r);
            checkWorldSize(o, r, entry);
            String[] f = entry.split(" ");
            hosts[r] = f[1];
            pids[r] = Long.parseLong(f[2]);
        }
        return new Peers(o.rank(), hosts, pids);
    }

    private static void await(TCPStore store, ProcessGroupOptions o, List<Integer> ranks) {
        try {
            store._wait(new StringVector(ranks.stream().map(r -> PREFIX + r).toArray(String[]::new)),
                    new Milliseconds(o.timeout().toMillis()));
        } catch (RuntimeException e) {
            List<Integer> missing = new ArrayList<>();
            try {
                for (int r : ranks) {
                    if (!store.check(new StringVector(PREFIX + r))) {
                        missing.add(r);
                    }
                }
            } catch (RuntimeException storeGone) {
                throw new DistributedException(o.rank(), "lost the rendezvous store on rank 0 while waiting for"
                        + " the other ranks to join (did rank 0 fail?)", e);
            }
            throw new DistributedException(o.rank(), "ranks " + missing + " did not join within "
                    + o.timeout() + " (WORLD_SIZE=" + o.worldSize() + "): were they started, with the same"
                    + " MASTER_ADDR/MASTER_PORT?", e);
        }
    }

    private static void checkWorldSize(ProcessGroupOptions o, int r, String entry) {
        String theirs = entry.substring(0, entry.indexOf(' '));
        if (Integer.parseInt(theirs) != o.worldSize()) {
            throw new DistributedException(o.rank(), "WORLD_SIZE mismatch: this rank has " + o.worldSize()
                    + " but rank " + r + " has " + theirs);
        }
    }

    /**
     * Ranks on this host whose process has exited, waiting up to a second for the operating system
     * to report it (a socket can close an instant before the process is gone).
     */
    List<Integer> deadLocalRanks() {
        for (int attempt = 0; attempt < 10; attempt++) {
            List<Integer> dead = new ArrayList<>();
            for (int r = 0; r < pids.length; r++) {
                if (r != rank && hosts[r].equals(hosts[rank]) && !alive(pids[r])) {
                    dead.add(r);
                }
            }
            if (!dead.isEmpty()) {
                return dead;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return List.of();
    }

    long pid(int r) {
        return pids[r];
    }

    /** Alive and not a zombie (an exited child its parent has not yet reaped). */
    private static boolean alive(long pid) {
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return true; // not Linux: trust ProcessHandle
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void put(TCPStore store, String key, String value) {
        store.set(key, new ByteVector(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String get(TCPStore store, String key) {
        return new String(store.get(key).get(), StandardCharsets.UTF_8);
    }
}
