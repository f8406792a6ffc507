package dev.lockstep.train;

import dev.lockstep.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code metrics.json}: {@code {"epochs":[{"epoch":1,"train_loss":…,…}],"test_accuracy":…}},
 * rewritten atomically after every epoch so a crash leaves the last complete version.
 */
final class MetricsFile {
    private MetricsFile() {
    }

    static void write(Path file, TrainingResult result) throws IOException {
        StringBuilder json = new StringBuilder("{\"epochs\":[");
        for (int i = 0; i < result.epochs().size(); i++) {
            EpochMetrics m = result.epochs().get(i);
            json.append(i == 0 ? "" : ",").append("\n  {\"epoch\":").append(m.epoch())
                    .append(",\"train_loss\":").append(number(m.trainLoss()))
                    .append(",\"test_loss\":").append(number(m.testLoss()))
                    .append(",\"test_accuracy\":").append(number(m.testAccuracy()))
                    .append(",\"seconds\":").append(number(m.seconds()))
                    .append(",\"samples_per_sec\":").append(number(m.samplesPerSec()))
                    .append(",\"skipped_steps\":").append(m.skippedSteps()).append('}');
        }
        json.append("\n],\"test_accuracy\":").append(number(result.testAccuracy())).append("}\n");
        AtomicFiles.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** JSON has no NaN: a metric that does not apply is null. */
    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
