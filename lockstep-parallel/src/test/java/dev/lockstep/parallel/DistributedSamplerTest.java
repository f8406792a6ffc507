package dev.lockstep.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lockstep.data.RandomSampler;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DistributedSamplerTest {

    @Test
    void padsByRepeatingTheStartAndInterleavesRanks() {
        // PyTorch, 10 samples over 4 ranks, no shuffle: padded to 0..9,0,1
        assertArrayEquals(new long[] {0, 4, 8}, new DistributedSampler(10, 4, 0, false, 0, false).indices(0));
        assertArrayEquals(new long[] {1, 5, 9}, new DistributedSampler(10, 4, 1, false, 0, false).indices(0));
        assertArrayEquals(new long[] {2, 6, 0}, new DistributedSampler(10, 4, 2, false, 0, false).indices(0));
        assertArrayEquals(new long[] {3, 7, 1}, new DistributedSampler(10, 4, 3, false, 0, false).indices(0));
    }

    @Test
    void shuffledSharesAreThoseOfPyTorchsDistributedSampler() {
        // PyTorch 1.13: DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=True, seed=7), set_epoch(2)
        long[][] pytorch = {{0, 7, 9, 3}, {5, 6, 1, 0}, {8, 2, 4, 5}};
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(pytorch[r], new DistributedSampler(10, 3, r, true, 7, false).indices(2), "rank " + r);
        }
    }

    @Test
    void padsRepeatedlyWhenTheDatasetIsSmallerThanTheWorld() {
        assertArrayEquals(new long[] {0}, new DistributedSampler(2, 5, 4, false, 0, false).indices(0));
    }

    @Test
    void dropLastCutsTheTail() {
        assertArrayEquals(new long[] {3, 7}, new DistributedSampler(10, 4, 3, false, 0, true).indices(0));
    }

    @Test
    void ranksTogetherVisitTheGlobalShuffleOnceAndOrderDependsOnSeedAndEpoch() {
        int n = 12;
        long[] global = new RandomSampler(n, 42).indices(3);
        long[] merged = new long[n];
        for (int r = 0; r < 3; r++) {
            long[] mine = new DistributedSampler(n, 3, r, true, 42, false).indices(3);
            for (int i = 0; i < mine.length; i++) {
                merged[i * 3 + r] = mine[i];
            }
            assertArrayEquals(mine, new DistributedSampler(n, 3, r, true, 42, false).indices(3));
        }
        assertArrayEquals(global, merged);
        long[] sorted = merged.clone();
        Arrays.sort(sorted);
        assertEquals(11, sorted[11]);
        assertFalse(Arrays.equals(new DistributedSampler(n, 3, 0, true, 42, false).indices(3),
                new DistributedSampler(n, 3, 0, true, 42, false).indices(4)));
    }

    @Test
    void lengthIsTheRanksShare() {
        for (boolean dropLast : new boolean[] {false, true}) {
            for (int n : new int[] {0, 2, 10, 12}) {
                DistributedSampler s = new DistributedSampler(n, 4, 3, true, 7, dropLast);
                assertEquals(s.indices(5).length, s.length(5), "n=" + n + " dropLast=" + dropLast);
            }
        }
        assertEquals(3, new DistributedSampler(10, 4, 0, true, 0, false).length(0));
        assertEquals(2, new DistributedSampler(10, 4, 0, true, 0, true).length(0));
    }
}
