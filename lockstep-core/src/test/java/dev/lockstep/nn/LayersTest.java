package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Forward values, modes and argument checks of the layers and losses. */
class LayersTest {

    @BeforeEach
    void seed() {
        Torch.manualSeed(3);
    }

    @Test
    void avgPool2dAveragesWindowsWithStrideDefaultingToKernel() {
        Tensor x = Tensor.arange(16).to(DType.FLOAT32).reshape(1, 1, 4, 4);
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, new AvgPool2d(2).forward(x).toFloatArray());
        assertArrayEquals(new long[] {1, 1, 3, 3}, new AvgPool2d(2, 1).forward(x).shape());
        assertArrayEquals(new float[] {5, 6, 9, 10}, F.avgPool2d(x, 3, 1).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(0));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, -1));
    }

    @Test
    void dropoutIsIdentityInEval() {
        Dropout dropout = new Dropout(0.9);
        dropout.eval();
        Tensor x = Tensor.randn(4, 5);
        assertArrayEquals(x.toFloatArray(), dropout.forward(x).toFloatArray());
        assertArrayEquals(x.toFloatArray(), F.dropout(x, 0.9, false).toFloatArray());
    }

    @Test
    void dropoutInTrainingDropsAboutPAndScalesSurvivors() {
        Tensor x = Tensor.ones(1000);
        float[] out = new Dropout(0.25).forward(x).toFloatArray();
        int dropped = 0;
        for (float v : out) {
            if (v == 0) {
                dropped++;
            } else {
                assertEquals(1 / 0.75f, v, 1e-6f);
            }
        }
        // Binomial(1000, 0.25): mean 250, sd ≈ 14; the seed is fixed, the bound is only a sanity range.
        assertTrue(dropped > 180 && dropped < 320, "dropped " + dropped);
    }

    @Test
    void dropoutMaskFollowsTheSeed() {
        Tensor x = Tensor.randn(50);
        Torch.manualSeed(11);
        float[] first = F.dropout(x, 0.5, true).toFloatArray();
        Torch.manualSeed(11);
        assertArrayEquals(first, F.dropout(x, 0.5, true).toFloatArray());
    }

    @Test
    void dropoutRejectsProbabilityOutsideZeroToOneAndOneDropsEverything() {
        assertArrayEquals(new float[3], new Dropout(1.0).forward(Tensor.ones(3)).toFloatArray());
        for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(p));
            assertTrue(e.getMessage().contains("dropout probability must be in [0, 1], got " + p), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> F.dropout(Tensor.ones(2), p, true));
        }
    }

    @Test
    void batchNormHasPyTorchStateNamesAndDefaults() {
        BatchNorm2d bn = new BatchNorm2d(3);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1}, bn.weight.toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.bias.toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.runningMean.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar.toFloatArray());
        assertEquals(DType.INT64, bn.numBatchesTracked.dtype());
        assertEquals(0, bn.numBatchesTracked.dim());
        assertEquals(0, bn.numBatchesTracked.itemLong());
    }

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesRunningStats() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.3);
        bn.to(DType.FLOAT64);
        double[] a = {1, 10, 2, 20, 6, 60};
        double[] b = {-1, 0, 3, 4, 4, 5, 0, 1};
        double[] expectedMean = {0, 0};
        double[] expectedVar = {1, 1};
        for (double[] batch : List.of(a, b)) {
            int n = batch.length / 2;
            Tensor x = Tensor.of(batch, n, 2);
            double[] y = bn.forward(x).toDoubleArray();
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    mean += batch[2 * i + c] / n;
                }
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    ss += Math.pow(batch[2 * i + c] - mean, 2);
                }
                // The output is normalised with the biased variance, running_var tracks the unbiased one.
                for (int i = 0; i < n; i++) {
                    assertEquals((batch[2 * i + c] - mean) / Math.sqrt(ss / n + 1e-5), y[2 * i + c], 1e-12);
                }
                expectedMean[c] = 0.7 * expectedMean[c] + 0.3 * mean;
                expectedVar[c] = 0.7 * expectedVar[c] + 0.3 * ss / (n - 1);
            }
            assertArrayEquals(expectedMean, bn.runningMean.toDoubleArray(), 1e-12);
            assertArrayEquals(expectedVar, bn.runningVar.toDoubleArray(), 1e-12);
        }
        assertEquals(2, bn.numBatchesTracked.itemLong());
    }

    @Test
    void batchNormEvalUsesRunningStatsAndLeavesThemAlone() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.to(DType.FLOAT64);
        bn.runningMean.detach().copyFrom(Tensor.of(new double[] {1, -2}, 2));
        bn.runningVar.detach().copyFrom(Tensor.of(new double[] {4, 0.25}, 2));
        bn.weight.detach().copyFrom(Tensor.of(new double[] {3, 1}, 2));
        bn.bias.detach().copyFrom(Tensor.of(new double[] {0.5, 0}, 2));
        bn.eval();
        Tensor x = Tensor.of(new double[] {5, 1, -2, -1}, 1, 2, 1, 2);
        double[] y = bn.forward(x).toDoubleArray();
        double[] expected = {
            3 * (5 - 1) / Math.sqrt(4 + 1e-5) + 0.5, 3 * (1 - 1) / Math.sqrt(4 + 1e-5) + 0.5,
            (-2 + 2) / Math.sqrt(0.25 + 1e-5), (-1 + 2) / Math.sqrt(0.25 + 1e-5)};
        assertArrayEquals(expected, y, 1e-12);
        assertArrayEquals(new double[] {1, -2}, bn.runningMean.toDoubleArray());
        assertArrayEquals(new double[] {4, 0.25}, bn.runningVar.toDoubleArray());
        assertEquals(0, bn.numBatchesTracked.itemLong());
    }

    @Test
    void batchNormFunctionalMatchesModule() {
        BatchNorm1d bn = new BatchNorm1d(3);
        Tensor x = Tensor.randn(4, 3);
        Tensor mean = Tensor.zeros(3);
        Tensor var = Tensor.ones(3);
        Tensor expected = F.batchNorm(x, mean, var, null, null, true, 0.1, 1e-5);
        assertArrayEquals(expected.toFloatArray(), bn.forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(mean.toFloatArray(), bn.runningMean.toFloatArray(), 1e-6f);
        assertArrayEquals(var.toFloatArray(), bn.runningVar.toFloatArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> F.batchNorm(x, null, null, null, null, false, 0.1, 1e-5));
    }

    @Test
    void batchNormChecksArgumentsAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2, 1e-5, 1.5));

        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm2d(2).forward(Tensor.zeros(3, 2)));
        assertTrue(rank.getMessage().contains("expects 4D input"), rank.getMessage());
        IllegalArgumentException rank1d = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm1d(2).forward(Tensor.zeros(3, 2, 2, 2)));
        assertTrue(rank1d.getMessage().contains("2D or 3D"), rank1d.getMessage());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm1d(3).forward(Tensor.zeros(4, 2)));
        assertTrue(channels.getMessage().contains("3 features but input has 2 channels"), channels.getMessage());

        BatchNorm1d bn = new BatchNorm1d(2);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.ones(1, 2)));
        assertEquals(0, bn.numBatchesTracked.itemLong());
        bn.eval();
        assertArrayEquals(new long[] {1, 2}, bn.forward(Tensor.ones(1, 2)).shape()); // fine with running stats
    }

    @Test
    void nllLossPicksNegatedTargetEntries() {
        Tensor input = Tensor.of(new float[] {-1, -2, -3, -4, -5, -6}, 2, 3);
        Tensor target = Tensor.of(new long[] {2, 0}, 2);
        assertArrayEquals(new float[] {3, 4}, new NLLLoss(Reduction.NONE).forward(input, target).toFloatArray());
        assertEquals(7.0, new NLLLoss(Reduction.SUM).forward(input, target).item());
        assertEquals(3.5, new NLLLoss().forward(input, target).item());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.nllLoss(input, Tensor.of(new float[] {2, 0}, 2)));
        assertTrue(e.getMessage().contains("int64"), e.getMessage());
    }

    @Test
    void crossEntropyIsNllOfLogSoftmax() {
        Tensor input = Tensor.randn(3, 5);
        Tensor target = Tensor.of(new long[] {4, 0, 2}, 3);
        assertEquals(F.nllLoss(F.logSoftmax(input, 1), target).item(), F.crossEntropy(input, target).item(), 1e-6);
    }

    @Test
    void mseLossSquaresDifferences() {
        Tensor input = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor target = Tensor.of(new float[] {1, 0, 6, 3}, 2, 2);
        assertArrayEquals(new float[] {0, 4, 9, 1}, new MSELoss(Reduction.NONE).forward(input, target).toFloatArray());
        assertEquals(14.0, new MSELoss(Reduction.SUM).forward(input, target).item());
        assertEquals(3.5, new MSELoss().forward(input, target).item());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.mseLoss(input, Tensor.zeros(2)));
        assertTrue(e.getMessage().contains("[2, 2] and [2]"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new MSELoss(null));
    }
}
