package dev.lockstep.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DDP on Gloo over loopback against one process at the same global batch, as PyTorch tests its own. */
class DistributedDataParallelTest {
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final int STEPS = 100;
    private static final int GLOBAL_BATCH = 32;

    private static float[] reference(int steps) throws Exception {
        return reference("single", steps);
    }

    private static float[] reference(String mode, int steps) throws Exception {
        try (Workers w = Workers.start(DdpWorker.class, 1, r -> Map.of(), mode, "" + steps, "" + GLOBAL_BATCH)) {
            w.awaitSuccess(LIMIT);
            return params(w, 0);
        }
    }

    private static float[] ddp(int worldSize, String mode, int steps, int k) throws Exception {
        try (Workers w = Workers.job(DdpWorker.class, worldSize, mode, "" + steps, "" + GLOBAL_BATCH, "" + k)) {
            w.awaitSuccess(LIMIT);
            return params(w, 0);
        }
    }

    private static float[] params(Workers w, int rank) {
        String[] f = w.results(rank).get("params").split(",");
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.parseFloat(f[i]);
        }
        return out;
    }

    /** max |a - b| / max |b|. */
    private static double relativeDifference(float[] a, float[] b) {
        assertEquals(b.length, a.length);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @Test
    void worldSizesTwoAndFourMatchOneProcessAtTheGlobalBatch() throws Exception {
        float[] single = reference(STEPS);
        float[] initial = reference(0);
        assertTrue(relativeDifference(single, initial) > 1e-2, "training must move the parameters");
        for (int n : new int[] {2, 4}) {
            double d = relativeDifference(ddp(n, "ddp", STEPS, 1), single);
            System.out.println("DDP world " + n + " vs one process after " + STEPS + " steps: max relative difference " + d);
            assertTrue(d <= 1e-5, "world " + n + ": max relative difference " + d);
        }
    }

    @Test
    void noSyncAccumulationOverFourMicroBatchesEqualsOneStepOnTheWholeBatch() throws Exception {
        float[] single = reference(20);
        double d = relativeDifference(ddp(2, "nosync", 20, 4), single);
        System.out.println("noSync k=4 vs one process: max relative difference " + d);
        assertTrue(d <= 1e-5, "max relative difference " + d + " " + Arrays.toString(Arrays.copyOf(single, 3)));
    }

    @Test
    void aFrozenLayerStaysAtRankZerosValuesWhileTheRestTrainsAsInOneProcess() throws Exception {
        float[] single = reference("single-frozen", 20);
        float[] initial = reference("single-frozen", 0);
        float[] distributed = ddp(2, "ddp-frozen", 20, 1);
        int frozen = 20 * 32 + 32; // the first layer's weight and bias come first
        assertTrue(Arrays.equals(Arrays.copyOf(initial, frozen), Arrays.copyOf(distributed, frozen)),
                "the frozen layer must keep rank 0's initial values");
        double d = relativeDifference(distributed, single);
        assertTrue(relativeDifference(single, initial) > 1e-2, "training must move the other parameters");
        assertTrue(d <= 1e-5, "max relative difference " + d);
    }

    @Test
    void syncingBuffersGivesEveryRankRankZerosRunningStatistics() throws Exception {
        try (Workers w = Workers.job(DdpWorker.class, 2, "buffers", "3", "" + GLOBAL_BATCH)) {
            w.awaitSuccess(LIMIT);
            String rankZeros = w.results(0).get("before");
            assertNotEquals(rankZeros, w.results(1).get("before"), "each rank's last step updated its own statistics");
            assertEquals(rankZeros, w.results(0).get("after"));
            assertEquals(rankZeros, w.results(1).get("after"));
        }
    }

    /** Rank 0 gets one batch fewer; after a single step, rank 1's next forward would rebuild the buckets. */
    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void unevenInputsInsideJoinFailOnEveryRankInsteadOfHanging(int steps) throws Exception {
        try (Workers w = Workers.job(DdpWorker.class, 2, "uneven", "" + steps, "" + GLOBAL_BATCH)) {
            int[] codes = w.await(LIMIT);
            assertEquals(3, codes[0], w.outputs());
            assertEquals(3, codes[1], w.outputs());
            String after = "ran out of batches after " + (steps - 1) + " steps";
            assertTrue(w.results(0).get("error").contains("this rank " + after + " while ranks [1]"), w.outputs());
            assertTrue(w.results(1).get("error").contains("ranks [0] " + after), w.outputs());
        }
    }
}
