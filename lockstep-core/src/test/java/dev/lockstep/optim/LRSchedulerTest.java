package dev.lockstep.optim;

import static dev.lockstep.optim.Reference.param;
import static dev.lockstep.optim.SGDTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LRSchedulerTest {
    private static final double BASE = 0.1;

    private static SGD sgd() {
        return new SGD(List.of(param(1)), BASE);
    }

    /** Epochs 0..n: the optimiser's lr after construction, then after each step(). */
    private static double[] run(LRScheduler s, Optimizer opt, int n) {
        double[] lrs = new double[n + 1];
        lrs[0] = opt.lr();
        assertEquals(lrs[0], s.lastLr());
        for (int e = 1; e <= n; e++) {
            s.step();
            lrs[e] = opt.lr();
            assertEquals(lrs[e], s.lastLr());
            assertEquals(e, s.lastEpoch());
        }
        return lrs;
    }

    private static void assertWithin(double[] expected, double[] actual, double tolerance) {
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], actual[e], tolerance, "epoch " + e);
        }
    }

    @ParameterizedTest(name = "stepSize={0} gamma={1}")
    @CsvSource({"1, 0.1", "3, 0.1", "2, 0.5", "4, 0.9"})
    void stepLRMatchesPyTorchsRecursiveForm(int stepSize, double gamma) {
        SGD opt = sgd();
        double[] actual = run(new StepLR(opt, stepSize, gamma), opt, 5 * stepSize + 2);
        // StepLR.get_lr(): lr * gamma when last_epoch > 0 and last_epoch % step_size == 0, else lr.
        double[] expected = new double[actual.length];
        expected[0] = BASE;
        for (int e = 1; e < expected.length; e++) {
            expected[e] = e % stepSize == 0 ? expected[e - 1] * gamma : expected[e - 1];
        }
        assertWithin(expected, actual, 1e-12);
    }

    @Test
    void stepLRDefaultsToGammaOneTenth() {
        SGD opt = sgd();
        StepLR s = new StepLR(opt, 2);
        s.step();
        assertEquals(BASE, opt.lr());
        s.step();
        assertEquals(BASE * 0.1, opt.lr(), 1e-15);
    }

    @ParameterizedTest(name = "tMax={0} etaMin={1}")
    @CsvSource({"1, 0", "5, 0", "10, 0.001", "7, 0.05"})
    void cosineMatchesPyTorchsRecursiveForm(int tMax, double etaMin) {
        SGD opt = sgd();
        double[] actual = run(new CosineAnnealingLR(opt, tMax, etaMin), opt, 2 * tMax + 2);
        // CosineAnnealingLR.get_lr() as documented and implemented by PyTorch.
        double[] expected = new double[actual.length];
        expected[0] = BASE;
        for (int e = 1; e < expected.length; e++) {
            double lr = expected[e - 1];
            if ((e - 1 - tMax) % (2 * tMax) == 0) {
                expected[e] = lr + (BASE - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            } else {
                expected[e] = (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax))
                        * (lr - etaMin) + etaMin;
            }
        }
        assertWithin(expected, actual, 1e-12);
        assertEquals(etaMin, actual[tMax], 1e-15);
        assertEquals(BASE, actual[2 * tMax], 1e-15);
    }

    @Test
    void cosineDefaultsToEtaMinZero() {
        SGD opt = sgd();
        double[] lrs = run(new CosineAnnealingLR(opt, 4), opt, 4);
        assertEquals(0, lrs[4], 1e-18);
    }

    @Test
    void stateDictRoundTripsAndRejectsOtherSettings() {
        SGD opt = sgd();
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 10, 0.001);
        for (int e = 0; e < 4; e++) {
            s.step();
        }
        Map<String, Tensor> state = s.stateDict();
        assertEquals(List.of("last_epoch", "base_lrs", "_last_lr", "T_max", "eta_min"), List.copyOf(state.keySet()));

        SGD other = new SGD(List.of(param(1)), 0.5);
        CosineAnnealingLR resumed = new CosineAnnealingLR(other, 10, 0.001);
        resumed.loadStateDict(state);
        assertEquals(4, resumed.lastEpoch());
        assertEquals(s.lastLr(), resumed.lastLr());
        s.step();
        resumed.step();
        assertEquals(opt.lr(), other.lr());

        CosineAnnealingLR different = new CosineAnnealingLR(sgd(), 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> different.loadStateDict(state));
        assertTrue(e.getMessage().contains("'T_max' is 10.0 but this CosineAnnealingLR has 20.0"), e.getMessage());
        assertTrue(e.getMessage().contains("'eta_min' is 0.001 but this CosineAnnealingLR has 0.0"), e.getMessage());
        assertEquals(0, different.lastEpoch());

        Map<String, Tensor> broken = new HashMap<>(state);
        broken.put("last_epoch", Tensor.full(-1, DType.INT64));
        broken.remove("base_lrs");
        broken.put("gamma", Tensor.full(0.1, DType.FLOAT64));
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> resumed.loadStateDict(broken));
        for (String part : List.of("'last_epoch' is -1.0, expected a whole number >= 0",
                "missing key 'base_lrs'", "unexpected key 'gamma'")) {
            assertTrue(b.getMessage().contains(part), () -> "no '" + part + "' in: " + b.getMessage());
        }
    }

    @Test
    void rejectsInvalidSettings() {
        assertMessage("StepLR: step size must be >= 1, got 0", () -> new StepLR(sgd(), 0));
        assertMessage("StepLR: gamma must be a finite value >= 0, got -0.5", () -> new StepLR(sgd(), 1, -0.5));
        assertMessage("CosineAnnealingLR: T_max must be >= 1, got 0", () -> new CosineAnnealingLR(sgd(), 0));
        assertMessage("CosineAnnealingLR: eta_min must be a finite value >= 0, got -1.0",
                () -> new CosineAnnealingLR(sgd(), 5, -1));
    }
}
