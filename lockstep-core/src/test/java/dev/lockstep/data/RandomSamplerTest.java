package dev.lockstep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RandomSamplerTest {

    @Test
    void drawsTorchRandpermWithTheGeneratorSeededBySeedPlusEpoch() {
        // PyTorch 1.13: g = torch.Generator(); g.manual_seed(42); torch.randperm(10, generator=g)
        long[] pytorch = {2, 6, 1, 8, 4, 5, 0, 9, 3, 7};
        assertArrayEquals(pytorch, new RandomSampler(10, 42).indices(0));
        assertArrayEquals(pytorch, new RandomSampler(10, 40).indices(2));
    }

    @Test
    void everyEpochIsAPermutationOfItsOwn() {
        RandomSampler sampler = new RandomSampler(1000, 5);
        long[] first = sampler.indices(0);
        long[] sorted = first.clone();
        Arrays.sort(sorted);
        assertArrayEquals(LongStream.range(0, 1000).toArray(), sorted);
        assertArrayEquals(first, new RandomSampler(1000, 5).indices(0));
        assertFalse(Arrays.equals(first, sampler.indices(1)));
        assertArrayEquals(new long[0], new RandomSampler(0, 5).indices(0));
    }
}
