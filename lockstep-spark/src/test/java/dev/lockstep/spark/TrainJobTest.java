package dev.lockstep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.models.ModelKind;
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
