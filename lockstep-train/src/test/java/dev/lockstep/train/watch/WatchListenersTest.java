package dev.lockstep.train.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.io.Json;
import dev.lockstep.models.TwoLayerNet;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import dev.lockstep.train.EpochMetrics;
import dev.lockstep.train.Phase;
import dev.lockstep.train.Trainer;
import dev.lockstep.train.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One small training run with every listener; the files are read back and checked against its metrics. */
class WatchListenersTest {
    private static final int EPOCHS = 2;
    private static final int STEPS_PER_EPOCH = 8; // 256 examples, batch 32

    @TempDir
    static Path out;
    static TrainingResult result;
    static PhaseTimeline timeline;
    static final List<String> printed = new ArrayList<>();
    static final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeAll
    static void train() {
        Torch.setNumThreads(1);
        Torch.manualSeed(0);
        Tensor w = Tensor.randn(DType.FLOAT32, 10, 3);
        Tensor x = Tensor.randn(DType.FLOAT32, 320, 10);
        Tensor y = x.matmul(w).argmax(1);
        TensorDataset train = new TensorDataset(x.narrow(0, 0, 256), y.narrow(0, 0, 256));
        TensorDataset test = new TensorDataset(x.narrow(0, 256, 64), y.narrow(0, 256, 64));
        TwoLayerNet model = new TwoLayerNet(10, 16, 3);
        timeline = new PhaseTimeline(out, printed::add);
        result = Trainer.builder().epochs(EPOCHS).batchSize(32).logInterval(0).log(printed::add).numWorkers(0)
                .listener(new CsvMetrics(out))
                .listener(new TensorBoardMetrics(out.resolve("tensorboard")))
                .listener(timeline)
                .listener(new ProgressBar(new PrintStream(progress, true, StandardCharsets.UTF_8), false))
                .build().fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1), train, test);
    }

    @Test
    void csvHoldsTheRunsMetrics() throws IOException {
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(CsvMetrics.EPOCH_HEADER, rows.get(0));
        assertEquals(EPOCHS + 1, rows.size());
        for (EpochMetrics m : result.epochs()) {
            String[] f = rows.get(m.epoch()).split(",", -1);
            assertEquals(m.epoch(), Integer.parseInt(f[0]));
            assertEquals(m.trainLoss(), Double.parseDouble(f[1]));
            assertEquals(m.testLoss(), Double.parseDouble(f[2]));
            assertEquals(m.testAccuracy(), Double.parseDouble(f[3]));
            assertEquals(m.seconds(), Double.parseDouble(f[4]));
            assertEquals(m.samplesPerSec(), Double.parseDouble(f[5]));
        }
        List<double[]> steps = stepLosses();
        assertEquals(EPOCHS * STEPS_PER_EPOCH, steps.size());
        for (EpochMetrics m : result.epochs()) { // the epoch's train loss is the mean of its steps' losses
            double sum = 0;
            for (int s = 0; s < STEPS_PER_EPOCH; s++) {
                double[] row = steps.get((m.epoch() - 1) * STEPS_PER_EPOCH + s);
                assertEquals((m.epoch() - 1) * STEPS_PER_EPOCH + s, (long) row[0]);
                assertEquals(m.epoch(), (int) row[1]);
                sum += row[2];
            }
            assertEquals(m.trainLoss(), sum / STEPS_PER_EPOCH, 1e-12);
        }
    }

    @Test
    void tensorBoardEventsHoldTheRunsMetrics() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(out.resolve("tensorboard"))) {
            file = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        List<EventFileReader.Event> events = EventFileReader.read(file);
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        double now = System.currentTimeMillis() / 1000.0;
        for (EventFileReader.Event e : events) {
            assertTrue(e.wallTime() > now - 3600 && e.wallTime() <= now, "wall_time in seconds: " + e.wallTime());
        }
        List<double[]> steps = stepLosses();
        List<EventFileReader.Event> batch = events.stream().filter(e -> "train/loss".equals(e.tag())).toList();
        assertEquals(steps.size(), batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(i, batch.get(i).step());
            assertEquals((float) steps.get(i)[2], batch.get(i).value());
        }
        for (EpochMetrics m : result.epochs()) {
            assertEquals((float) m.trainLoss(), scalar(events, "epoch/train_loss", m.epoch()));
            assertEquals((float) m.testLoss(), scalar(events, "epoch/test_loss", m.epoch()));
            assertEquals((float) m.testAccuracy(), scalar(events, "epoch/test_accuracy", m.epoch()));
            assertEquals((float) m.samplesPerSec(), scalar(events, "epoch/samples_per_sec", m.epoch()));
        }
    }

    @Test
    void traceHasEveryPhaseOfEveryStepAndAddsUpToTheTable() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> trace = (Map<String, Object>) Json.parse(Files.readString(out.resolve("trace-rank0.json")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) trace.get("traceEvents");
        Map<Phase, Integer> counts = new EnumMap<>(Phase.class);
        Map<Phase, Double> micros = new EnumMap<>(Phase.class);
        double previousEnd = 0;
        for (Map<String, Object> e : events) {
            if (!e.get("ph").equals("X")) {
                continue;
            }
            Phase p = Phase.valueOf(((String) e.get("name")).toUpperCase());
            double ts = ((Number) e.get("ts")).doubleValue();
            double dur = ((Number) e.get("dur")).doubleValue();
            assertEquals(0L, e.get("pid"));
            assertTrue(ts >= previousEnd - 0.5, "spans in order, not overlapping: " + e); // doubles: 0.25 µs at today's epoch
            previousEnd = ts + dur;
            counts.merge(p, 1, Integer::sum);
            micros.merge(p, dur, Double::sum);
        }
        int steps = EPOCHS * STEPS_PER_EPOCH;
        for (Phase p : List.of(Phase.RELEASE, Phase.DATA, Phase.FORWARD, Phase.BACKWARD, Phase.OPTIMIZER)) {
            assertEquals(steps, counts.get(p), p.label());
        }
        assertEquals(steps + 2 * EPOCHS, counts.get(Phase.SYNC)); // per step, then train loss and eval metrics
        assertEquals(EPOCHS, counts.get(Phase.EVAL));
        for (Phase p : Phase.values()) {
            assertEquals(timeline.seconds(p), micros.get(p) / 1e6, 1e-6 * counts.get(p), p.label());
        }
        String table = printed.get(printed.size() - 1);
        assertTrue(table.startsWith("Where the time went (rank 0 of 1, single, 16 steps):"), table);
        assertTrue(table.lines().anyMatch(l -> l.matches(" {2}forward +\\d+\\.\\d{3} +\\d+\\.\\d +\\d+\\.\\d{3}")), table);
    }

    @Test
    void progressBarEndsEachEpochFull() {
        String text = progress.toString(StandardCharsets.UTF_8);
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            assertTrue(text.contains("\rEpoch " + epoch + "/2 [" + "=".repeat(30) + "] 100% 256/256 "), text);
        }
        assertEquals(EPOCHS, text.chars().filter(c -> c == '\n').count(), text);
    }

    @Test
    void progressBarLine() {
        assertEquals("Epoch 1/3 [===============>              ]  50% 300/600 100 samples/s ETA 0:03 loss 0.5000",
                ProgressBar.render(1, 3, 300, 600, 3.0, 0.5));
        assertEquals("Epoch 3/3 [==============================] 100% 600/600 10 samples/s in 1:00 loss 0.2500",
                ProgressBar.render(3, 3, 600, 600, 60.0, 0.25));
    }

    private static float scalar(List<EventFileReader.Event> events, String tag, long step) {
        return events.stream().filter(e -> tag.equals(e.tag()) && e.step() == step).findFirst().orElseThrow().value();
    }

    private static List<double[]> stepLosses() throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("steps.csv"));
        assertEquals(CsvMetrics.STEP_HEADER, lines.get(0));
        return lines.stream().skip(1).map(l -> Stream.of(l.split(",")).mapToDouble(Double::parseDouble).toArray()).toList();
    }
}
