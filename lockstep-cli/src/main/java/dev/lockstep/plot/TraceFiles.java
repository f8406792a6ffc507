package dev.lockstep.plot;

import dev.lockstep.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the {@code trace-rank<R>.json} files the Trainer's phase timeline writes. */
public final class TraceFiles {
    private TraceFiles() {
    }

    /** Every rank's trace files in {@code dir}, sorted by name. */
    public static List<Path> find(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("trace-rank\\d+\\.json")).sorted().toList();
        }
    }

    /** The complete ("X") events of a trace, in file order. */
    public static List<Span> read(Path file) throws IOException {
        Object root;
        try {
            root = Json.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not a trace file (" + e.getMessage() + ")", e);
        }
        List<Span> spans = new ArrayList<>();
        if (root instanceof Map<?, ?> map && map.get("traceEvents") instanceof List<?> events) {
            for (Object o : events) {
                if (o instanceof Map<?, ?> e && "X".equals(e.get("ph"))) {
                    Object step = e.get("args") instanceof Map<?, ?> args ? args.get("step") : null;
                    spans.add(new Span(number(e.get("pid")).intValue(), (String) e.get("name"), number(e.get("ts")).doubleValue(),
                            number(e.get("dur")).doubleValue(), step == null ? -1 : number(step).longValue()));
                }
            }
            return spans;
        }
        throw new IllegalArgumentException(file + ": not a trace file (no traceEvents)");
    }

    private static Number number(Object o) {
        if (o instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("expected a number in a trace event, got " + o);
    }
}
