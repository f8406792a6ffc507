package dev.lockstep.train;

import java.util.List;

/** The Trainer's listeners as one, called in the order they were added. */
final class Listeners implements TrainingListener {
    private final TrainingListener[] all;

    Listeners(List<TrainingListener> listeners) {
        this.all = listeners.toArray(TrainingListener[]::new);
    }

    @Override
    public void onTrainingStart(TrainingInfo info) {
        for (TrainingListener l : all) {
            l.onTrainingStart(info);
        }
    }

    @Override
    public void onEpochStart(int epoch) {
        for (TrainingListener l : all) {
            l.onEpochStart(epoch);
        }
    }

    @Override
    public void onPhase(Phase phase, int epoch, long step, long startNanos, long endNanos) {
        for (TrainingListener l : all) {
            l.onPhase(phase, epoch, step, startNanos, endNanos);
        }
    }

    @Override
    public void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
        for (TrainingListener l : all) {
            l.onBatchEnd(epoch, batch, batches, samples, loss);
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics) {
        for (TrainingListener l : all) {
            l.onEpochEnd(metrics);
        }
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        for (TrainingListener l : all) {
            l.onTrainingEnd(result);
        }
    }
}
