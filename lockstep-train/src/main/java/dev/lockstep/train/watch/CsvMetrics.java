package dev.lockstep.train.watch;

import dev.lockstep.io.AtomicFiles;
import dev.lockstep.train.EpochMetrics;
import dev.lockstep.train.TrainingInfo;
import dev.lockstep.train.TrainingListener;
import dev.lockstep.train.TrainingResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Metrics as CSV, written by the main process: {@code metrics.csv} (one row per epoch, rewritten
 * atomically after each) and {@code steps.csv} (the training loss of every step, written after each
 * epoch). Numbers are Java's shortest round-trip form; a metric that does not apply is empty. A
 * resumed run keeps the rows of the epochs and steps it had done before.
 */
public final class CsvMetrics implements TrainingListener {
    public static final String EPOCH_HEADER = "epoch,train_loss,test_loss,test_accuracy,seconds,samples_per_sec";
    public static final String STEP_HEADER = "step,epoch,loss";

    private final Path dir;
    private final List<String> rows = new ArrayList<>();
    private final StepLosses stepLosses = new StepLosses();
    private boolean active;
    private long batchesPerEpoch;
    private BufferedWriter steps;

    public CsvMetrics(Path dir) {
        this.dir = dir;
    }

    @Override
    public void onTrainingStart(TrainingInfo info) {
        active = info.isMain();
        batchesPerEpoch = info.batchesPerEpoch();
        if (active) {
            info.earlierEpochs().forEach(m -> rows.add(row(m)));
            try {
                List<String> kept = info.resumedAtStep() > 0 ? stepsBefore(info.resumedAtStep()) : List.of();
                steps = Files.newBufferedWriter(dir.resolve("steps.csv"), StandardCharsets.UTF_8);
                steps.write(STEP_HEADER + "\n");
                for (String line : kept) {
                    steps.write(line + "\n");
                }
            } catch (IOException e) {
                throw failure("steps.csv", e);
            }
        }
    }

    /** A resumed run's earlier steps, from the steps.csv it wrote before (steps count from 0). */
    private List<String> stepsBefore(long resumedAtStep) throws IOException {
        Path file = dir.resolve("steps.csv");
        if (!Files.exists(file)) {
            return List.of();
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.skip(1).filter(line -> {
                int comma = line.indexOf(',');
                return comma > 0 && line.substring(0, comma).matches("\\d+")
                        && Long.parseLong(line.substring(0, comma)) < resumedAtStep;
            }).toList();
        }
    }

    private static String row(EpochMetrics m) {
        return m.epoch() + "," + number(m.trainLoss()) + "," + number(m.testLoss()) + "," + number(m.testAccuracy())
                + "," + number(m.seconds()) + "," + number(m.samplesPerSec());
    }

    @Override
    public void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
        if (active) {
            stepLosses.add((epoch - 1) * batchesPerEpoch + batch, loss);
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics m) {
        if (!active) {
            return;
        }
        rows.add(row(m));
        try {
            stepLosses.drain((step, loss, wallMillis) -> steps.write(step + "," + m.epoch() + "," + loss + "\n"));
            steps.flush();
        } catch (IOException e) {
            throw failure("steps.csv", e);
        }
        try {
            AtomicFiles.write(dir.resolve("metrics.csv"),
                    (EPOCH_HEADER + "\n" + String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failure("metrics.csv", e);
        }
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (active) {
            try {
                steps.close();
            } catch (IOException e) {
                throw failure("steps.csv", e);
            }
        }
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }

    private UncheckedIOException failure(String file, IOException e) {
        return new UncheckedIOException("cannot write " + dir.resolve(file) + ": " + e.getMessage(), e);
    }
}
