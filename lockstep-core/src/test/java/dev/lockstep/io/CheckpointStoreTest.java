package dev.lockstep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path dir;

    private static Path save(CheckpointStore store, long step) throws IOException {
        return store.save(step, Map.of("model.safetensors", Map.of("w", Tensor.of(new float[] {step}, 1))),
                Map.of("step", step));
    }

    private Path checkpoint(long step) {
        return dir.resolve(CheckpointStore.name(step));
    }

    @Test
    void keepsTheNewestK() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 2);
        for (long step : new long[] {10, 20, 30}) {
            save(store, step);
        }
        assertEquals(List.of(checkpoint(30), checkpoint(20)), store.list());
    }

    @Test
    void savingAfterResumingPastAnUnusableCheckpointKeepsWhatWasJustSaved() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 1);
        save(store, 30);
        Files.createDirectories(checkpoint(39)); // a later checkpoint without its manifest
        List<String> warnings = new ArrayList<>();
        assertEquals(checkpoint(30), store.latest(warnings::add).orElseThrow().dir());
        assertEquals(1, warnings.size(), warnings.toString());

        assertEquals(checkpoint(35), save(store, 35));
        assertEquals(List.of(checkpoint(35)), store.list());
        Checkpoint latest = store.latest(w -> { throw new AssertionError(w); }).orElseThrow();
        assertEquals(35, latest.getLong("step"));
    }

    @Test
    void rejectsANegativeStepAndFileNamesOutsideTheCheckpoint() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 3);
        Map<String, Tensor> tensors = Map.of("w", Tensor.of(new float[] {1}, 1));
        var negative = assertThrows(IllegalArgumentException.class, () -> store.save(-1, Map.of("m", tensors), Map.of()));
        assertTrue(negative.getMessage().contains("step must be >= 0, got -1"), negative.getMessage());
        for (String name : new String[] {"../x", "a/b", "manifest.json", ".hidden", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> store.save(1, Map.of(name, tensors), Map.of()),
                    name);
            assertTrue(e.getMessage().contains("'" + name + "' must be a plain file name"), e.getMessage());
        }
        assertTrue(store.list().isEmpty());
        assertTrue(Files.notExists(dir.resolveSibling("x")));
    }
}
