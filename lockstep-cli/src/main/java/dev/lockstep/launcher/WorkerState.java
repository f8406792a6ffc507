package dev.lockstep.launcher;

/** The life of a group of workers, as torchelastic's. */
public enum WorkerState {
    SUCCEEDED,
    FAILED
}
