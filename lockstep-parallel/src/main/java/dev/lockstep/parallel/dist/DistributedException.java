package dev.lockstep.parallel.dist;

/**
 * A collective or the rendezvous failed: a peer died, did not answer within the timeout, or the
 * ranks disagree about the job. The message names the rank that saw it and, when it can tell,
 * the rank at fault.
 */
public class DistributedException extends RuntimeException {
    private final int rank;

    public DistributedException(int rank, String message, Throwable cause) {
        super("rank " + rank + ": " + message, cause);
        this.rank = rank;
    }

    public DistributedException(int rank, String message) {
        this(rank, message, null);
    }

    /** The rank of the process that raised it. */
    public int rank() {
        return rank;
    }
}
