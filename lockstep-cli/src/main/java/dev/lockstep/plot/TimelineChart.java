package dev.lockstep.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A Gantt chart of the phase timeline, as the seeds draw one: a lane per rank, a coloured bar per
 * phase. A whole run is thousands of steps, too many to see, so it shows the last
 * {@value #STEPS} training steps and the evaluation that follows them.
 */
final class TimelineChart {
    static final int STEPS = 10;
    static final int WIDTH = 1200;
    private static final int LANE_HEIGHT = 60;
    private static final int FRAME_HEIGHT = 170;
    /** Phases in the Trainer's order, with matplotlib's default colours. */
    private static final List<Map.Entry<String, Color>> PHASES = List.of(
            Map.entry("data", new Color(0x9E9E9E)),
            Map.entry("forward", new Color(0x1F77B4)),
            Map.entry("backward", new Color(0xFF7F0E)),
            Map.entry("sync", new Color(0xD62728)),
            Map.entry("optimizer", new Color(0x2CA02C)),
            Map.entry("eval", new Color(0x9467BD)));

    private TimelineChart() {
    }

    static int height(int ranks) {
        return FRAME_HEIGHT + LANE_HEIGHT * ranks;
    }

    static Path write(List<Span> spans, Path file) throws IOException {
        int ranks = spans.stream().mapToInt(Span::rank).max().orElse(0) + 1;
        long lastStep = spans.stream().filter(s -> s.phase().equals("forward")).mapToLong(Span::step).max().orElse(0);
        double from = spans.stream().filter(s -> s.step() > lastStep - STEPS).mapToDouble(Span::startMicros).min().orElse(0);
        List<Span> window = spans.stream().filter(s -> s.startMicros() >= from).toList();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height(ranks))
                .title("Where the time went: last " + STEPS + " steps and evaluation").xAxisTitle("ms").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisMin(-0.6).setYAxisMax(ranks - 0.4).setYAxisTicksVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        for (int rank = 0; rank < ranks; rank++) {
            chart.addAnnotation(new AnnotationText("rank " + rank, 0, lane(rank, ranks) + 0.38, false));
        }
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        for (Map.Entry<String, Color> phase : PHASES) {
            List<Span> bars = window.stream().filter(s -> s.phase().equals(phase.getKey())).toList();
            if (!bars.isEmpty()) {
                addBars(chart, phase.getKey(), phase.getValue(), bars, from, ranks);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Rank 0 on top. */
    private static int lane(int rank, int ranks) {
        return ranks - 1 - rank;
    }

    /** Each span is a thick segment (start, lane) to (end, lane); a NaN point between spans breaks the line. */
    private static void addBars(XYChart chart, String name, Color color, List<Span> bars, double from, int ranks) {
        double[] x = new double[bars.size() * 3];
        double[] y = new double[bars.size() * 3];
        Arrays.fill(y, Double.NaN);
        for (int i = 0; i < bars.size(); i++) {
            Span s = bars.get(i);
            x[3 * i] = (s.startMicros() - from) / 1000;
            x[3 * i + 1] = (s.endMicros() - from) / 1000;
            x[3 * i + 2] = x[3 * i + 1];
            y[3 * i] = lane(s.rank(), ranks);
            y[3 * i + 1] = y[3 * i];
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setLineStyle(new BasicStroke(LANE_HEIGHT * 0.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
    }
}
