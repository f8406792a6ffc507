package dev.lockstep.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Loss and accuracy curves from {@code metrics.csv} (per epoch) and {@code steps.csv} (per step). */
final class CurveCharts {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    private CurveCharts() {
    }

    /** Writes {@code loss.png} and, for classification, {@code accuracy.png}; returns the files. */
    static List<Path> write(Path dir) throws IOException {
        List<double[]> epochs = csv(dir.resolve("metrics.csv"));
        List<Path> written = new ArrayList<>();
        XYChart loss = chart("Loss", "loss");
        Path steps = dir.resolve("steps.csv");
        if (Files.exists(steps)) {
            addSteps(loss, csv(steps));
        }
        add(loss, "train (epoch mean)", epochs, 1);
        add(loss, "test", epochs, 2);
        written.add(save(loss, dir.resolve("loss.png")));
        if (epochs.stream().anyMatch(r -> !Double.isNaN(r[3]))) {
            XYChart accuracy = chart("Test accuracy", "accuracy (%)");
            List<double[]> percent = epochs.stream().map(r -> new double[] {r[0], 0, 0, 100 * r[3]}).toList();
            add(accuracy, "test", percent, 3);
            written.add(save(accuracy, dir.resolve("accuracy.png")));
        }
        return written;
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle)
                .build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("0.##").setXAxisTickMarkSpacingHint(120);
        return chart;
    }

    /** Per-step losses at fractional epochs: step k of an epoch of n steps sits at epoch - 1 + (k + 1) / n. */
    private static void addSteps(XYChart chart, List<double[]> rows) {
        Map<Integer, List<Double>> byEpoch = new TreeMap<>();
        for (double[] r : rows) {
            byEpoch.computeIfAbsent((int) r[1], e -> new ArrayList<>()).add(r[2]);
        }
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        byEpoch.forEach((epoch, losses) -> {
            for (int k = 0; k < losses.size(); k++) {
                x.add(epoch - 1 + (k + 1.0) / losses.size());
                y.add(losses.get(k));
            }
        });
        if (!x.isEmpty()) {
            XYSeries s = chart.addSeries("train (per step)", x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new java.awt.BasicStroke(1f));
        }
    }

    private static void add(XYChart chart, String name, List<double[]> rows, int column) {
        double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
        double[] y = rows.stream().mapToDouble(r -> r[column]).toArray();
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** A CSV of numbers with a header line; empty fields are NaN. */
    private static List<double[]> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] fields = lines.get(i).split(",", -1);
            double[] row = new double[fields.length];
            for (int j = 0; j < fields.length; j++) {
                try {
                    row[j] = fields[j].isEmpty() ? Double.NaN : Double.parseDouble(fields[j]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": not a number: '" + fields[j] + "'");
                }
            }
            rows.add(row);
        }
        return rows;
    }
}
