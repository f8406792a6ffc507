package dev.lockstep.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.RandomSampler;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.io.CheckpointStore;
import dev.lockstep.models.SyntheticRegression;
import dev.lockstep.nn.Dropout;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MSELoss;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.Adam;
import dev.lockstep.optim.CosineAnnealingLR;
import dev.lockstep.optim.LRScheduler;
import dev.lockstep.optim.StepLR;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.train.watch.CsvMetrics;
import dev.lockstep.tensor.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 200 examples, batch 16: 13 steps per epoch, 3 epochs; dropout makes the generator state matter. */
class CheckpointResumeTest {
    private static final int TRAIN = 200;
    private static final long DATA_SEED = 5;

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private record Run(Map<String, byte[]> params, TrainingResult result, double finalLr) {
    }

    private Run run(long initSeed, TensorDataset[] data, UnaryOperator<Trainer.Builder> options) {
        return run(initSeed, data, SchedulerInterval.EPOCH, options);
    }

    /** Per epoch: StepLR(1, 0.5); per step: a cosine over every step of the run. */
    private Run run(long initSeed, TensorDataset[] data, SchedulerInterval interval,
                    UnaryOperator<Trainer.Builder> options) {
        Torch.manualSeed(initSeed);
        Module model = new Sequential(new Linear(10, 32), new ReLU(), new Dropout(0.3), new Linear(32, 1));
        Adam optimizer = new Adam(model.parameters(), 1e-2);
        Trainer trainer = options.apply(Trainer.builder().epochs(3).batchSize(16).seed(DATA_SEED).logInterval(0)
                .numWorkers(0).classification(false).log(log::add).schedulerInterval(interval)).build();
        LRScheduler scheduler = interval == SchedulerInterval.EPOCH ? new StepLR(optimizer, 1, 0.5)
                : new CosineAnnealingLR(optimizer, trainer.estimatedSteppingBatches(data[0]));
        TrainingResult result = trainer.fit(model, new MSELoss(), optimizer, scheduler, data[0], data[1]);
        Map<String, byte[]> params = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> params.put(name, t.toBytes()));
        return new Run(params, result, optimizer.lr());
    }

    private static TensorDataset[] data() {
        return SyntheticRegression.generate(3, TRAIN, 40);
    }

    private static void assertBitIdentical(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name + " differs"));
    }

    private CheckpointOptions every(int steps, int keep) {
        return new CheckpointOptions(tmp.resolve("checkpoints"), steps, keep);
    }

    private Path checkpoint(long step) {
        return tmp.resolve("checkpoints").resolve(CheckpointStore.name(step));
    }

    @Test
    void resumingMidEpochGivesBitIdenticalParameters() {
        Run uninterrupted = run(1, data(), b -> b);
        Run checkpointed = run(1, data(), b -> b.checkpoints(every(5, 100)));
        assertBitIdentical(uninterrupted.params(), checkpointed.params());
        // 13 steps per epoch: step 20 is epoch 2's 7th step; 13 is the end of epoch 1
        for (long step : new long[] {20, 13, 35}) {
            Run resumed = run(99, data(), b -> b.checkpoints(every(5, 100)).resumeFrom(checkpoint(step)));
            assertBitIdentical(uninterrupted.params(), resumed.params());
        }
        assertTrue(log.contains("Resumed from " + checkpoint(20) + " (epoch 2, step 7 of 13, global step 20)"), log.toString());
    }

    @Test
    void aScheduleSteppedEveryBatchSpansTheRunAndResumesMidEpoch() {
        Run uninterrupted = run(1, data(), SchedulerInterval.STEP, b -> b);
        assertEquals(0, uninterrupted.finalLr(), 1e-15, "the cosine ends at eta_min after 3 x 13 steps");
        assertEquals(1.25e-3, run(1, data(), b -> b).finalLr(), 1e-15, "StepLR(1, 0.5) after 3 epochs");
        run(1, data(), SchedulerInterval.STEP, b -> b.checkpoints(every(5, 100)));
        Run resumed = run(99, data(), SchedulerInterval.STEP, b -> b.checkpoints(every(5, 100)).resumeFrom(checkpoint(20)));
        assertBitIdentical(uninterrupted.params(), resumed.params());
        assertEquals(0, resumed.finalLr(), 1e-15);
    }

    @Test
    void keepsTheNewestAndFallsBackPastCorruptOrPartialOnes() throws IOException {
        Run uninterrupted = run(1, data(), b -> b);
        run(1, data(), b -> b.checkpoints(every(5, 3)));
        assertEquals(List.of(checkpoint(39), checkpoint(35), checkpoint(30)),
                new CheckpointStore(tmp.resolve("checkpoints"), 3).list());
        try (var ch = Files.newByteChannel(checkpoint(39).resolve("model.safetensors"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4);
        }
        Files.delete(checkpoint(35).resolve("manifest.json"));
        log.clear();
        Run resumed = run(99, data(), b -> b.checkpoints(every(5, 3)).resumeFromLatest());
        assertBitIdentical(uninterrupted.params(), resumed.params());
        String text = String.join("\n", log);
        assertTrue(text.contains("warning: checkpoint " + checkpoint(39) + " is unusable: model.safetensors has"), text);
        assertTrue(text.contains("warning: checkpoint " + checkpoint(35) + " is unusable: no manifest.json"), text);
        assertTrue(text.contains("Resumed from " + checkpoint(30) + " (epoch 3, step 4 of 13, global step 30)"), text);
    }

    @Test
    void aRunFromTheBeginningRefusesADirectoryHoldingCheckpoints() {
        run(1, data(), b -> b.checkpoints(every(0, 3)));
        var e = assertThrows(IllegalArgumentException.class, () -> run(1, data(), b -> b.checkpoints(every(0, 3))));
        assertTrue(e.getMessage().contains(tmp.resolve("checkpoints") + " already holds 3 checkpoints (newest "
                + checkpoint(39).getFileName() + ")"), e.getMessage());
    }

    @Test
    void aRestartedRunResumesFromItsOwnLatestElseFromWhereItBegan() {
        Run uninterrupted = run(1, data(), b -> b);
        run(1, data(), b -> b.checkpoints(new CheckpointOptions(tmp.resolve("first"), 5, 100)));
        Path began = tmp.resolve("first").resolve(CheckpointStore.name(20));
        Run fromWhereItBegan = run(99, data(), b -> b.checkpoints(every(5, 2)).resumeFromLatestOr(began));
        assertTrue(log.contains("Resumed from " + began + " (epoch 2, step 7 of 13, global step 20)"), log.toString());
        assertBitIdentical(uninterrupted.params(), fromWhereItBegan.params());
        log.clear();
        run(99, data(), b -> b.checkpoints(every(5, 2)).resumeFromLatestOr(began));
        assertTrue(log.contains("Resumed from " + checkpoint(39) + " (epoch 4, step 0 of 13, global step 39)"),
                log.toString());
    }

    @Test
    void aResumedRunsResultAndMetricsFilesKeepTheEpochsAndStepsBeforeItsCheckpoint() throws IOException {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Path resumedOut = Files.createDirectories(tmp.resolve("resumed"));
        Run uninterrupted = run(1, data(), b -> b.checkpoints(every(5, 100)).outDir(full).listener(new CsvMetrics(full)));
        Files.copy(full.resolve("steps.csv"), resumedOut.resolve("steps.csv")); // what the run wrote before its crash
        Run resumed = run(99, data(), b -> b.checkpoints(new CheckpointOptions(tmp.resolve("more"), 5, 100))
                .resumeFrom(checkpoint(20)).outDir(resumedOut).listener(new CsvMetrics(resumedOut)));
        assertEquals(List.of(1, 2, 3), resumed.result().epochs().stream().map(EpochMetrics::epoch).toList());
        EpochMetrics before = uninterrupted.result().epochs().get(0);
        EpochMetrics kept = resumed.result().epochs().get(0);
        assertEquals(before.trainLoss(), kept.trainLoss(), 0);
        assertEquals(before.testLoss(), kept.testLoss(), 0);
        assertEquals(before.seconds(), kept.seconds(), 0);
        assertEquals(uninterrupted.result().epochs().get(2).testLoss(), resumed.result().epochs().get(2).testLoss(), 0);
        assertEquals(Files.readAllLines(full.resolve("steps.csv")), Files.readAllLines(resumedOut.resolve("steps.csv")),
                "the steps before the checkpoint from the earlier file, the rest trained again to the same losses");
        List<String> epochRows = Files.readAllLines(resumedOut.resolve("metrics.csv"));
        assertEquals(4, epochRows.size(), epochRows.toString());
        assertEquals(Files.readAllLines(full.resolve("metrics.csv")).get(1), epochRows.get(1));
        String json = Files.readString(resumedOut.resolve("metrics.json"));
        assertTrue(json.contains("{\"epoch\":1,") && json.contains("{\"epoch\":3,"), json);
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused() {
        run(1, data(), b -> b.checkpoints(every(0, 3)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> run(1, data(), b -> b.seed(DATA_SEED + 1).resumeFrom(checkpoint(13))));
        assertTrue(e.getMessage().contains("was written with seed 5 but this run has 6"), e.getMessage());
    }

    /** Example 17's input is NaN: its batch's loss is NaN once per epoch. */
    private static TensorDataset[] withNaN() {
        TensorDataset[] d = data();
        float[] x = d[0].inputs().toFloatArray();
        x[17 * SyntheticRegression.FEATURES] = Float.NaN;
        return new TensorDataset[] {new TensorDataset(Tensor.of(x, TRAIN, SyntheticRegression.FEATURES), d[0].targets()), d[1]};
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStep() {
        long[] order = RandomSampler.permutation(TRAIN, DATA_SEED, 0);
        int position = 0;
        while (order[position] != 17) {
            position++;
        }
        long step = position / 16 + 1;
        var e = assertThrows(NonFiniteLossException.class, () -> run(1, withNaN(), b -> b));
        assertEquals(1, e.epoch());
        assertEquals(step, e.step());
        assertTrue(e.getMessage().startsWith("loss is NaN at epoch 1, step " + step + " (global step " + step + ")"),
                e.getMessage());
    }

    @Test
    void skippedNonFiniteStepsAreCountedAndLeaveTheParametersFinite() {
        Run run = run(1, withNaN(), b -> b.skipNonFinite(true));
        assertEquals(List.of(1L, 1L, 1L), run.result().epochs().stream().map(EpochMetrics::skippedSteps).toList());
        assertTrue(run.result().epochs().stream().allMatch(m -> Double.isFinite(m.trainLoss())));
        run.params().forEach((name, bytes) -> {
            for (float v : Tensor.fromBytes(bytes, dev.lockstep.tensor.DType.FLOAT32, bytes.length / 4).toFloatArray()) {
                assertTrue(Float.isFinite(v), name);
            }
        });
    }
}
