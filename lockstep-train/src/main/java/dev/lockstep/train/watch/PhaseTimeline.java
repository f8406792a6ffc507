package dev.lockstep.train.watch;

import dev.lockstep.io.AtomicFiles;
import dev.lockstep.train.Phase;
import dev.lockstep.train.TrainingInfo;
import dev.lockstep.train.TrainingListener;
import dev.lockstep.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Records, on every process, when each phase of each step ran, into primitive arrays (up to
 * {@code maxEvents} spans; totals are always kept). At the end, each rank writes
 * {@code DIR/trace-rank<R>.json} in Chrome's trace format (Perfetto and chrome://tracing open it;
 * timestamps are wall-clock microseconds, so the ranks of one machine line up), and the main
 * process prints where the time went.
 */
public final class PhaseTimeline implements TrainingListener {
    /** About 10,000 steps: 60,000 spans take 1.5 MB here and about 6 MB of JSON. */
    public static final int DEFAULT_MAX_EVENTS = 60_000;

    private static final Phase[] PHASES = Phase.values();

    private final Path dir;
    private final Consumer<String> print;
    private final int maxEvents;
    private final long[] totals = new long[PHASES.length];
    private byte[] phase = new byte[1024];
    private long[] step = new long[1024];
    private long[] start = new long[1024];
    private long[] end = new long[1024];
    private int count;
    private long dropped;
    private long steps;
    private TrainingInfo info;
    private long originNanos;
    private long originEpochNanos;

    /**
     * @param dir   where the trace goes; {@code null} for none
     * @param print where the main process prints the table; {@code null} for nowhere
     */
    public PhaseTimeline(Path dir, Consumer<String> print, int maxEvents) {
        this.dir = dir;
        this.print = print;
        this.maxEvents = maxEvents;
    }

    public PhaseTimeline(Path dir, Consumer<String> print) {
        this(dir, print, DEFAULT_MAX_EVENTS);
    }

    @Override
    public void onTrainingStart(TrainingInfo info) {
        this.info = info;
        Instant now = Instant.now();
        originNanos = System.nanoTime();
        originEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void onPhase(Phase p, int epoch, long stepIndex, long startNanos, long endNanos) {
        totals[p.ordinal()] += endNanos - startNanos;
        if (count == maxEvents) {
            dropped++;
            return;
        }
        if (count == phase.length) {
            int n = Math.min(maxEvents, count * 2);
            phase = Arrays.copyOf(phase, n);
            step = Arrays.copyOf(step, n);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
        }
        phase[count] = (byte) p.ordinal();
        step[count] = stepIndex;
        start[count] = startNanos;
        end[count] = endNanos;
        count++;
    }

    @Override
    public void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
        steps++;
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (dir != null) {
            Path file = dir.resolve("trace-rank" + info.rank() + ".json");
            try {
                AtomicFiles.write(file, traceJson().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
        if (print != null && info.isMain()) {
            print.accept(table());
        }
    }

    /** Total seconds spent in a phase on this process. */
    public double seconds(Phase p) {
        return totals[p.ordinal()] / 1e9;
    }

    /** The trace in Chrome's JSON format: one complete ("X") event per span, pid = rank. */
    String traceJson() {
        int rank = info.rank();
        StringBuilder json = new StringBuilder(128 + count * 110);
        json.append("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"rank\":").append(rank)
                .append(",\"world_size\":").append(info.worldSize())
                .append(",\"strategy\":\"").append(info.strategy())
                .append("\",\"steps\":").append(steps)
                .append(",\"dropped_events\":").append(dropped)
                .append("},\n\"traceEvents\":[\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(rank)
                .append(",\"tid\":0,\"args\":{\"name\":\"rank ").append(rank)
                .append("\"}},\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":").append(rank)
                .append(",\"tid\":0,\"args\":{\"sort_index\":").append(rank).append("}}");
        for (int i = 0; i < count; i++) {
            Phase p = PHASES[phase[i]];
            json.append(",\n{\"name\":\"").append(p.label()).append("\",\"cat\":\"").append(category(p))
                    .append("\",\"ph\":\"X\",\"pid\":").append(rank).append(",\"tid\":0,\"ts\":");
            micros(json, originEpochNanos + (start[i] - originNanos));
            json.append(",\"dur\":");
            micros(json, end[i] - start[i]);
            json.append(",\"args\":{\"step\":").append(step[i]).append("}}");
        }
        return json.append("\n]}\n").toString();
    }

    private static String category(Phase p) {
        return switch (p) {
            case DATA -> "data";
            case SYNC -> "communication";
            case RELEASE -> "memory";
            case EVAL -> "eval";
            default -> "compute";
        };
    }

    /** Microseconds with three decimals, without the cost of String.format per event. */
    private static void micros(StringBuilder out, long nanos) {
        long frac = nanos % 1000;
        out.append(nanos / 1000).append('.').append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10))
                .append((char) ('0' + frac % 10));
    }

    /** Where the time went on this process, phase by phase. */
    String table() {
        long total = Arrays.stream(totals).sum();
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "Where the time went (rank %d of %d, %s, %d steps):%n",
                info.rank(), info.worldSize(), info.strategy(), steps));
        t.append(String.format(Locale.ROOT, "  %-10s %10s %7s %10s%n", "phase", "seconds", "%", "ms/step"));
        for (Phase p : PHASES) {
            row(t, p.label(), totals[p.ordinal()], total);
        }
        row(t, "total", total, total);
        if (info.strategy().equals("ddp")) {
            t.append("  backward includes DDP's gradient all-reduce, which c10d's Reducer overlaps with it;")
                    .append(System.lineSeparator())
                    .append("  sync is what is left after backward plus the all-reduces of metrics.");
        }
        return t.toString().stripTrailing();
    }

    private void row(StringBuilder t, String name, long nanos, long total) {
        t.append(String.format(Locale.ROOT, "  %-10s %10.3f %7.1f %10.3f%n", name, nanos / 1e9,
                total == 0 ? 0.0 : 100.0 * nanos / total, steps == 0 ? 0.0 : nanos / 1e6 / steps));
    }
}
