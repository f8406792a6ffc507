package dev.lockstep.cli;

import dev.lockstep.plot.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code lockstep plot DIR}: loss, accuracy and timeline PNGs from a {@code train --out DIR}. */
final class PlotCommand {
    static final String HELP = """
            usage: lockstep plot DIR
              writes DIR/loss.png and DIR/accuracy.png (from metrics.csv, steps.csv) and
              DIR/timeline.png (from trace-rank<R>.json); train --out DIR does this at its end
            """;

    private PlotCommand() {
    }

    static int run(List<String> argv) throws IOException {
        if (argv.contains("--help")) {
            System.out.print(HELP);
            return 0;
        }
        List<String> dirs = argv.stream().filter(a -> !a.equals("--verbose")).toList();
        if (dirs.size() != 1 || dirs.get(0).startsWith("--")) {
            throw new UsageException("expected one directory: lockstep plot DIR");
        }
        plot(Path.of(dirs.get(0)));
        return 0;
    }

    static void plot(Path dir) throws IOException {
        for (Path png : Plots.write(dir)) {
            System.out.println("wrote " + png);
        }
    }
}
