package dev.lockstep.train;

import java.util.Locale;

/**
 * Where a training step's time goes, in the order the Trainer runs them; {@link #EVAL} is the
 * evaluation after each epoch. {@link #RELEASE} frees the previous step's tensors (its memory
 * scope); {@link #DATA} is the time the step waited for its batch. Under DDP, {@link #BACKWARD} includes the gradient all-reduce: c10d's
 * Reducer starts it from autograd hooks and overlaps it with backward, so {@link #SYNC} holds only
 * what is left after backward ({@code Strategy.syncGradients}) and the all-reduces of metrics.
 */
public enum Phase {
    RELEASE, DATA, FORWARD, BACKWARD, SYNC, OPTIMIZER, EVAL;

    /** Lower-case name, as in trace files and tables. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
