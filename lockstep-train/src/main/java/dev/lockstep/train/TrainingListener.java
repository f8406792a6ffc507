package dev.lockstep.train;

/**
 * Called by the {@link Trainer} at its boundaries, on every process (a listener that only the main
 * process should act on checks {@link TrainingInfo#isMain()}). Few events, as DJL's and
 * Lightning's callbacks; all have empty defaults. Events carry primitives so that listening to
 * every step allocates nothing.
 */
public interface TrainingListener {

    default void onTrainingStart(TrainingInfo info) {
    }

    default void onEpochStart(int epoch) {
    }

    /**
     * One phase ended; times are {@link System#nanoTime()} values.
     *
     * @param step the global training step (from 0) the phase belongs to; for evaluation and the
     *             metric all-reduces after an epoch, the number of steps done
     */
    default void onPhase(Phase phase, int epoch, long step, long startNanos, long endNanos) {
    }

    /**
     * A training step ended.
     *
     * @param batch   index in the epoch, from 0, of {@code batches}
     * @param samples examples this process trained on in the step
     * @param loss    this process's loss of the step
     */
    default void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
    }

    /** After the epoch's evaluation, with metrics over all processes. */
    default void onEpochEnd(EpochMetrics metrics) {
    }

    default void onTrainingEnd(TrainingResult result) {
    }
}
