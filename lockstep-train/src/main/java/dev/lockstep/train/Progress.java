package dev.lockstep.train;

/**
 * Where training stands: the next epoch to run (from 1), the steps of it already done, and the
 * steps done since the start. Data order is a function of (seed, epoch), so this is all a resumed
 * run needs to see exactly the batches an uninterrupted one would.
 */
record Progress(int epoch, long stepInEpoch, long globalStep) {
    static final Progress START = new Progress(1, 0, 0);
}
