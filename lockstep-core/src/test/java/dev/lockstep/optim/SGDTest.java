package dev.lockstep.optim;

import static dev.lockstep.optim.Reference.assertClose;
import static dev.lockstep.optim.Reference.grad;
import static dev.lockstep.optim.Reference.param;
import static dev.lockstep.optim.Reference.setGrads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SGDTest {

    /** torch.optim.SGD's documented update, dampening 0, in doubles. */
    private static double[] expected(double[] p0, int steps, double lr, double momentum, double wd, boolean nesterov) {
        double[] p = p0.clone();
        double[] buf = null;
        for (int k = 0; k < steps; k++) {
            double[] g = grad(0, k, p.length);
            double[] d = new double[p.length];
            for (int j = 0; j < p.length; j++) {
                d[j] = g[j] + wd * p[j];
            }
            if (momentum != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int j = 0; j < p.length; j++) {
                        buf[j] = momentum * buf[j] + d[j];
                    }
                }
                for (int j = 0; j < p.length; j++) {
                    d[j] = nesterov ? d[j] + momentum * buf[j] : buf[j];
                }
            }
            for (int j = 0; j < p.length; j++) {
                p[j] -= lr * d[j];
            }
        }
        return p;
    }

    @ParameterizedTest(name = "momentum={0} wd={1} nesterov={2} steps={3}")
    @CsvSource({
        "0,   0,    false, 1", "0,   0,    false, 5",
        "0.9, 0,    false, 1", "0.9, 0,    false, 5",
        "0,   0.01, false, 1", "0,   0.01, false, 5",
        "0.9, 0.01, true,  1", "0.9, 0.01, true,  5",
        "0.5, 0.1,  false, 5"})
    void followsTheFormula(double momentum, double wd, boolean nesterov, int steps) {
        double[] p0 = {0.5, -1.25, 2.0};
        Tensor p = param(p0);
        SGD sgd = new SGD(List.of(p), 0.05, momentum, wd, nesterov);
        for (int k = 0; k < steps; k++) {
            setGrads(List.of(p), k);
            sgd.step();
        }
        assertClose(expected(p0, steps, 0.05, momentum, wd, nesterov), p);
    }

    @Test
    void plainStepMovesEveryParameterWithAGradientAndOnlyThose() {
        Tensor a = param(1, 2);
        Tensor frozen = param(3, 4, 5);
        Tensor c = param(-1, 0.5, 2);
        SGD sgd = new SGD(List.of(a, frozen, c), 0.1);
        setGrads(List.of(a, c), 0); // a gets grad(0, 0, 2), c gets grad(1, 0, 3); frozen has none
        sgd.step();
        double[] ga = grad(0, 0, 2);
        double[] gc = grad(1, 0, 3);
        assertClose(new double[] {1 - 0.1 * ga[0], 2 - 0.1 * ga[1]}, a);
        assertClose(new double[] {3, 4, 5}, frozen);
        assertClose(new double[] {-1 - 0.1 * gc[0], 0.5 - 0.1 * gc[1], 2 - 0.1 * gc[2]}, c);
    }

    @Test
    void plainStepTakesTheLearningRateOfEachStep() {
        double[] p0 = {0.5, -1.25, 2.0};
        Tensor p = param(p0);
        SGD sgd = new SGD(List.of(p), 0.05);
        double[] expected = p0.clone();
        double[] lrs = {0.05, 0.01, 0.01, 0.2};
        for (int k = 0; k < lrs.length; k++) {
            sgd.setLr(lrs[k]);
            setGrads(List.of(p), k);
            sgd.step();
            double[] g = grad(0, k, p0.length);
            for (int j = 0; j < p0.length; j++) {
                expected[j] -= lrs[k] * g[j];
            }
        }
        assertClose(expected, p);
    }

    @Test
    void plainSgdMadeInsideAMemoryScopeStillStepsAfterItCloses() {
        Tensor p = param(1, 2);
        SGD sgd;
        try (MemoryScope scope = MemoryScope.open()) {
            sgd = new SGD(List.of(p), 0.1);
        }
        System.gc(); // the native optimiser must be held by the SGD, not by the scope or by luck
        setGrads(List.of(p), 0);
        sgd.step();
        double[] g = grad(0, 0, 2);
        assertClose(new double[] {1 - 0.1 * g[0], 2 - 0.1 * g[1]}, p);
    }

    @Test
    void rejectsInvalidHyperParameters() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("SGD: learning rate must be a finite value >= 0, got -0.1", () -> new SGD(ps, -0.1));
        assertMessage("SGD: learning rate must be a finite value >= 0, got NaN", () -> new SGD(ps, Double.NaN));
        assertMessage("SGD: momentum must be a finite value >= 0, got -0.9", () -> new SGD(ps, 0.1, -0.9, 0, false));
        assertMessage("SGD: weight decay must be a finite value >= 0, got -1.0", () -> new SGD(ps, 0.1, 0, -1, false));
        assertMessage("SGD: Nesterov momentum requires momentum > 0", () -> new SGD(ps, 0.1, 0, 0, true));
        assertMessage("optimizer got an empty parameter list", () -> new SGD(List.of(), 0.1));
        SGD sgd = new SGD(ps, 0.1);
        assertMessage("SGD: learning rate must be a finite value >= 0, got -1.0", () -> sgd.setLr(-1));
        assertEquals(0.1, sgd.lr());
    }

    static void assertMessage(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(message), () -> "message was: " + e.getMessage());
    }
}
