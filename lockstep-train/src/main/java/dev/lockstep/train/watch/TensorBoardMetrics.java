package dev.lockstep.train.watch;

import dev.lockstep.train.EpochMetrics;
import dev.lockstep.train.TrainingInfo;
import dev.lockstep.train.TrainingListener;
import dev.lockstep.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Metrics for TensorBoard ({@code tensorboard --logdir DIR}), written by the main process: the
 * training loss of every step as {@code train/loss} (step = global step) and each epoch's metrics
 * as {@code epoch/*} (step = epoch), written after each epoch.
 */
public final class TensorBoardMetrics implements TrainingListener {
    private final Path dir;
    private final StepLosses stepLosses = new StepLosses();
    private TensorBoardWriter writer;
    private long batchesPerEpoch;

    public TensorBoardMetrics(Path dir) {
        this.dir = dir;
    }

    @Override
    public void onTrainingStart(TrainingInfo info) {
        if (info.isMain()) {
            batchesPerEpoch = info.batchesPerEpoch();
            try {
                writer = new TensorBoardWriter(dir);
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }

    @Override
    public void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
        if (writer != null) {
            stepLosses.add((epoch - 1) * batchesPerEpoch + batch, loss);
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics m) {
        if (writer == null) {
            return;
        }
        try {
            stepLosses.drain((step, loss, wallMillis) -> writer.scalar("train/loss", step, loss, wallMillis));
            writer.scalar("epoch/train_loss", m.epoch(), m.trainLoss());
            writer.scalar("epoch/test_loss", m.epoch(), m.testLoss());
            if (!Double.isNaN(m.testAccuracy())) {
                writer.scalar("epoch/test_accuracy", m.epoch(), m.testAccuracy());
            }
            writer.scalar("epoch/samples_per_sec", m.epoch(), m.samplesPerSec());
            writer.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }

    private UncheckedIOException failure(IOException e) {
        return new UncheckedIOException("cannot write TensorBoard events under " + dir + ": " + e.getMessage(), e);
    }
}
