package dev.lockstep.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pictures of a training run's output directory: {@code loss.png} and {@code accuracy.png}
 * from {@code metrics.csv}, {@code timeline.png} from every rank's {@code trace-rank<R>.json}.
 */
public final class Plots {
    private Plots() {
    }

    /**
     * Writes every chart the directory has data for and returns the files.
     *
     * @throws IllegalArgumentException when {@code dir} holds neither metrics nor traces
     */
    public static List<Path> write(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory");
        }
        System.setProperty("java.awt.headless", "true"); // charts are drawn off-screen, also on servers without X
        List<Path> written = new ArrayList<>();
        if (Files.exists(dir.resolve("metrics.csv"))) {
            written.addAll(CurveCharts.write(dir));
        }
        List<Span> spans = new ArrayList<>();
        for (Path trace : TraceFiles.find(dir)) {
            spans.addAll(TraceFiles.read(trace));
        }
        if (!spans.isEmpty()) {
            written.add(TimelineChart.write(spans, dir.resolve("timeline.png")));
        }
        if (written.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no metrics.csv or trace-rank<R>.json to plot (train with --out)");
        }
        return written;
    }
}
