package dev.lockstep.train;

import dev.lockstep.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

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
            json.append(i == 0 ? "\n  {" : ",\n  {");
            String separator = "";
            for (Map.Entry<String, Object> field : result.epochs().get(i).toJson().entrySet()) {
                Object v = field.getValue();
                json.append(separator).append('"').append(field.getKey()).append("\":")
                        .append(v instanceof Double d ? number(d) : v);
                separator = ",";
            }
            json.append('}');
        }
        json.append("\n],\"test_accuracy\":").append(number(result.testAccuracy())).append("}\n");
        AtomicFiles.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** JSON has no NaN: a metric that does not apply is null. */
    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
