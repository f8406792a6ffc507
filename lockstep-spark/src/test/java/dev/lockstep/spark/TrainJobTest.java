package dev.lockstep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.models.ModelKind;
import dev.lockstep.train.CheckpointOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainJobTest {

    @Test
    void parsesLockstepTrainFlagsWithItsDefaults() {
        TrainJob job = TrainJob.parse(List.of("--model", "mlp", "--epochs=3", "--lr", "0.01", "--optimizer", "sgd",
                "--data-dir", "/shared/mnist", "--timeout", "30"));
        assertEquals(new TrainJob(ModelKind.MLP, 3, 64, 0.01, "sgd", 1, "/shared/mnist", 0, Duration.ofSeconds(30), 100),
                job);
        assertTrue(TrainJob.parse(List.of()).dataDir().endsWith("mnist"));
    }

    @Test
    void badFlagsAreNamed() {
        assertEquals("unknown option --bogus", message("--bogus", "1"));
        assertEquals("--epochs must be an integer, got 'x'", message("--epochs", "x"));
        assertEquals("--batch-size must be > 0, got 0", message("--batch-size", "0"));
        assertEquals("unknown --optimizer 'rmsprop': expected sgd, adam or adamw", message("--optimizer", "rmsprop"));
        assertEquals("--lr needs a value", message("--lr"));
    }

    @Test
    void parsesCheckpointFlags() {
        TrainJob job = TrainJob.parse(List.of("--model", "regression", "--checkpoint-dir", "/shared/ckpt",
                "--checkpoint-every", "100", "--keep-checkpoints=5"));
        assertEquals("/shared/ckpt", job.checkpointDir());
        assertEquals(new CheckpointOptions(Path.of("/shared/ckpt"), 100, 5), job.checkpoints().orElseThrow());
        TrainJob everyEpoch = TrainJob.parse(List.of("--checkpoint-dir", "/shared/ckpt"));
        assertEquals(new CheckpointOptions(Path.of("/shared/ckpt"), 0, CheckpointOptions.DEFAULT_KEEP),
                everyEpoch.checkpoints().orElseThrow());
        assertEquals(everyEpoch, TrainJob.parse(List.of("--checkpoint-dir", "/shared/ckpt", "--checkpoint-every", "epoch")));
        assertTrue(TrainJob.parse(List.of()).checkpoints().isEmpty());
    }

    @Test
    void badCheckpointFlagsAreNamed() {
        assertEquals("--checkpoint-dir must be an absolute path every executor can reach, got 'ckpt'",
                message("--checkpoint-dir", "ckpt"));
        assertEquals("--checkpoint-every needs --checkpoint-dir DIR", message("--checkpoint-every", "10"));
        assertEquals("--keep-checkpoints needs --checkpoint-dir DIR", message("--keep-checkpoints", "2"));
        assertEquals("--checkpoint-every must be a positive number of steps or 'epoch', got '0'",
                message("--checkpoint-dir", "/c", "--checkpoint-every", "0"));
        assertEquals("--checkpoint-every must be a positive number of steps or 'epoch', got 'often'",
                message("--checkpoint-dir", "/c", "--checkpoint-every", "often"));
        assertEquals("--keep-checkpoints must be >= 1, got 0", message("--checkpoint-dir", "/c", "--keep-checkpoints", "0"));
    }

    @Test
    void batchMustSplitOverTheRanks() {
        SparkDistributor d = SparkDistributor.builder().numProcesses(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.run(null, TrainJob.of(ModelKind.REGRESSION, null)));
        assertEquals("--batch-size 64 must be divisible by the number of processes (3)", e.getMessage());
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> TrainJob.parse(List.of(args))).getMessage();
    }
}
