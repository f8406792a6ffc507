package dev.lockstep.cli;

import static dev.lockstep.cli.CliRun.lockstep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** train --out writes metrics, traces and charts; plot redraws them; info describes the machine. */
class WatchCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainWritesMetricsTracesAndChartsThatPlotRedraws() throws IOException {
        Path data = MnistSubset.write(Files.createDirectories(tmp.resolve("mnist")), 512, 128);
        Path out = tmp.resolve("out");
        CliRun r = lockstep("train", "--model", "mlp", "--data-dir", data.toString(), "--epochs", "2", "--batch-size", "64",
                "--log-interval", "4", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Where the time went (rank 0 of 1, single, 16 steps):"), r.out());

        // metrics.csv holds what metrics.json holds (which rounds to 6 digits)
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> json = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(
                Files.readString(out.resolve("metrics.json")))).get("epochs");
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size());
        String[] columns = csv.get(0).split(",");
        for (int epoch = 1; epoch <= 2; epoch++) {
            String[] row = csv.get(epoch).split(",");
            for (int c = 0; c < columns.length; c++) {
                double expected = ((Number) json.get(epoch - 1).get(columns[c])).doubleValue();
                assertEquals(expected, Double.parseDouble(row[c]), 1e-5 * Math.abs(expected), columns[c]);
            }
        }
        assertEquals(17, Files.readAllLines(out.resolve("steps.csv")).size());
        try (Stream<Path> events = Files.list(out.resolve("tensorboard"))) {
            assertEquals(1, events.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).count());
        }
        assertImages(out, 1);
        for (String png : List.of("loss.png", "accuracy.png", "timeline.png")) {
            assertTrue(r.out().contains("wrote " + out.resolve(png)), r.out());
            Files.delete(out.resolve(png));
        }

        CliRun plot = lockstep("plot", out.toString());
        assertEquals(0, plot.code(), plot.err());
        assertImages(out, 1);
    }

    @Test
    void plotNamesWhatIsMissing() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun r = lockstep("plot", empty.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has no metrics.csv or trace-rank<R>.json to plot"), r.err());
        assertEquals(2, lockstep("plot").code());
    }

    @Test
    void infoListsDevicesVersionsThreadsMemoryAndBackends() {
        CliRun r = lockstep("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("lockstep " + Version.LOCKSTEP + " on libtorch " + Version.LIBTORCH), r.out());
        assertTrue(r.out().contains("  cpu: " + Runtime.getRuntime().availableProcessors() + " cores"), r.out());
        assertTrue(r.out().contains("threads: libtorch intra-op "), r.out());
        assertTrue(r.out().contains("memory: MALLOC_ARENA_MAX="), r.out());
        assertTrue(r.out().contains(", transparent huge pages "), r.out());
        assertTrue(r.out().contains("collective backends: gloo (cpu)"), r.out());
    }

    /** Two DDP workers started by the launcher: both ranks' traces, with the communication phase. */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void ddpTimelineShowsBothRanksAndTheirCommunication() throws IOException {
        Path data = MnistSubset.write(Files.createDirectories(tmp.resolve("mnist")), 256, 64);
        Path out = tmp.resolve("ddp");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = lockstep("run", "--nproc-per-node", "2", "--master-port", Integer.toString(port), "--", "--model", "mlp",
                "--data-dir", data.toString(), "--batch-size", "64", "--log-interval", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (int rank = 0; rank < 2; rank++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> trace = (Map<String, Object>) Json.parse(Files.readString(out.resolve("trace-rank" + rank + ".json")));
            assertEquals(Map.of("rank", (long) rank, "world_size", 2L, "strategy", "ddp", "steps", 4L, "dropped_events", 0L),
                    trace.get("otherData"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> events = (List<Map<String, Object>>) trace.get("traceEvents");
            int r0 = rank;
            List<Map<String, Object>> sync = events.stream().filter(e -> "sync".equals(e.get("name"))).toList();
            assertEquals(4 + 2, sync.size()); // after each step's backward, then the train-loss and eval all-reduces
            assertTrue(sync.stream().allMatch(e -> e.get("cat").equals("communication") && e.get("pid").equals((long) r0)));
            assertTrue(sync.stream().skip(4).allMatch(e -> ((Number) e.get("dur")).doubleValue() > 0), sync.toString());
            assertEquals(4, events.stream().filter(e -> "backward".equals(e.get("name"))).count());
        }
        assertTrue(r.out().contains("[rank 0] Where the time went (rank 0 of 2, ddp, 4 steps):"), r.out());
        assertTrue(r.out().contains("[rank 0]   backward includes DDP's gradient all-reduce"), r.out());
        assertImages(out, 2);
    }

    private static void assertImages(Path dir, int ranks) throws IOException {
        assertSize(dir.resolve("loss.png"), 800, 500);
        assertSize(dir.resolve("accuracy.png"), 800, 500);
        assertSize(dir.resolve("timeline.png"), 1200, 170 + 60 * ranks);
    }

    private static void assertSize(Path png, int width, int height) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, png + " is not an image ImageIO reads");
        assertEquals(width, image.getWidth(), png.toString());
        assertEquals(height, image.getHeight(), png.toString());
    }
}
