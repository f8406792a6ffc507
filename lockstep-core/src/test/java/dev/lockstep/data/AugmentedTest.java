package dev.lockstep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lockstep.data.transforms.RandomCrop;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AugmentedTest {
    private static final int N = 40;
    private static final int SIDE = 6;

    private static Augmented dataset(long seed) {
        float[] pixels = new float[N * SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 97 + 1;
        }
        long[] labels = new long[N];
        Arrays.setAll(labels, i -> i % 10);
        return new Augmented(new TensorDataset(Tensor.of(pixels, N, 1, SIDE, SIDE), Tensor.of(labels, N)),
                new RandomCrop(2, 0), seed);
    }

    private static float[] image(Batch b, int row) {
        return b.input().select(0, row).toFloatArray();
    }

    @Test
    void anExamplesDrawDependsOnSeedEpochAndIndexNotOnItsBatch() {
        Augmented d = dataset(1);
        Batch alone = d.get(new long[] {7}, 3);
        Batch pair = d.get(new long[] {12, 7}, 3);
        assertArrayEquals(image(alone, 0), image(pair, 1));
        assertArrayEquals(new long[] {2, 7}, pair.target().toLongArray()); // labels i % 10
        assertArrayEquals(image(d.get(new long[] {7}), 0), image(d.get(new long[] {7}, 0), 0));

        int changedByEpoch = 0;
        int changedBySeed = 0;
        Augmented other = dataset(2);
        for (long i = 0; i < N; i++) {
            float[] e3 = image(d.get(new long[] {i}, 3), 0);
            changedByEpoch += Arrays.equals(e3, image(d.get(new long[] {i}, 4), 0)) ? 0 : 1;
            changedBySeed += Arrays.equals(e3, image(other.get(new long[] {i}, 3), 0)) ? 0 : 1;
        }
        // With 25 offsets, an example keeps its crop between two draws 1 time in 25.
        assertFalse(changedByEpoch < N / 2, changedByEpoch + " of " + N + " crops changed between epochs");
        assertFalse(changedBySeed < N / 2, changedBySeed + " of " + N + " crops changed between seeds");
    }

    @Test
    void workersAndEpochsGiveTheBatchesOfALoaderWithout() {
        Augmented d = dataset(5);
        assertEquals(batches(d, 0), batches(d, 2));
    }

    /** Two shuffled epochs' images, flattened to lists so they compare by value. */
    private static List<List<Float>> batches(Dataset d, int workers) {
        DataLoader loader = DataLoader.builder(d).batchSize(8).shuffle(true).seed(9).numWorkers(workers).build();
        List<List<Float>> out = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (Batch b : loader) {
                List<Float> values = new ArrayList<>();
                for (float v : b.input().toFloatArray()) {
                    values.add(v);
                }
                out.add(values);
            }
        }
        return out;
    }
}
