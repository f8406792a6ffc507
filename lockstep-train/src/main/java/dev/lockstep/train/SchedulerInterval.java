package dev.lockstep.train;

/** When the trainer steps a learning-rate scheduler, as Lightning's {@code "interval"}. */
public enum SchedulerInterval {
    /** After each epoch: the scheduler's epochs are training epochs. */
    EPOCH,
    /** After each optimiser step: the scheduler's epochs are steps (see {@link Trainer#estimatedSteppingBatches}). */
    STEP
}
