package dev.lockstep.optim;

import static dev.lockstep.optim.Reference.assertClose;
import static dev.lockstep.optim.Reference.grad;
import static dev.lockstep.optim.Reference.param;
import static dev.lockstep.optim.Reference.setGrads;
import static dev.lockstep.optim.SGDTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lockstep.tensor.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdamTest {
    private static final double LR = 0.01;
    private static final double B1 = 0.8;
    private static final double B2 = 0.95;
    private static final double EPS = 1e-6;

    /**
     * Adam as written in torch.optim.Adam's documentation, in doubles: L2 decay adds wd * p to the
     * gradient; decoupled decay (AdamW) first scales p by 1 - lr * wd.
     */
    static double[] expected(double[] p0, int steps, double wd, boolean decoupled) {
        double[] p = p0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = grad(0, t - 1, p.length);
            for (int j = 0; j < p.length; j++) {
                if (decoupled) {
                    p[j] *= 1 - LR * wd;
                } else {
                    g[j] += wd * p[j];
                }
                m[j] = B1 * m[j] + (1 - B1) * g[j];
                v[j] = B2 * v[j] + (1 - B2) * g[j] * g[j];
                double mHat = m[j] / (1 - Math.pow(B1, t));
                double vHat = v[j] / (1 - Math.pow(B2, t));
                p[j] -= LR * mHat / (Math.sqrt(vHat) + EPS);
            }
        }
        return p;
    }

    @ParameterizedTest(name = "wd={0} steps={1}")
    @CsvSource({"0, 1", "0, 6", "0.1, 1", "0.1, 6"})
    void adamFollowsTheFormula(double wd, int steps) {
        double[] p0 = {0.5, -1.25, 2.0, 0.0};
        Tensor p = param(p0);
        Adam adam = new Adam(List.of(p), LR, B1, B2, EPS, wd);
        for (int k = 0; k < steps; k++) {
            setGrads(List.of(p), k);
            adam.step();
        }
        assertClose(expected(p0, steps, wd, false), p);
    }

    @ParameterizedTest(name = "wd={0} steps={1}")
    @CsvSource({"0.1, 1", "0.1, 6", "0, 6"})
    void adamWDecouplesWeightDecay(double wd, int steps) {
        double[] p0 = {0.5, -1.25, 2.0, 0.0};
        Tensor p = param(p0);
        AdamW adamW = new AdamW(List.of(p), LR, B1, B2, EPS, wd);
        for (int k = 0; k < steps; k++) {
            setGrads(List.of(p), k);
            adamW.step();
        }
        assertClose(expected(p0, steps, wd, true), p);
    }

    @Test
    void adamWHasPyTorchDefaults() {
        AdamW adamW = new AdamW(List.of(param(1)), 1e-3);
        var state = adamW.stateDict();
        assertArrayEquals(new double[] {0.9, 0.999}, state.get("param_groups.0.betas").toDoubleArray());
        assertEquals(1e-8, state.get("param_groups.0.eps").item());
        assertEquals(0.01, state.get("param_groups.0.weight_decay").item());
        assertEquals(1.0, state.get("param_groups.0.decoupled_weight_decay").item());
    }

    @Test
    void skipsParametersWithoutGradient() {
        Tensor a = param(1, 2);
        Tensor b = param(3, 4, 5);
        Adam adam = new Adam(List.of(a, b), LR, B1, B2, EPS, 0.1);
        a.setGrad(Tensor.of(grad(0, 0, 2), 2));
        adam.step();
        assertArrayEquals(new double[] {3, 4, 5}, b.toDoubleArray());
        assertEquals(Set.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "param_groups.0.lr",
                "param_groups.0.params", "param_groups.0.betas", "param_groups.0.eps",
                "param_groups.0.weight_decay", "param_groups.0.decoupled_weight_decay"),
                adam.stateDict().keySet());
        assertClose(expected(new double[] {1, 2}, 1, 0.1, false), a);
    }

    @Test
    void zeroGradClearsGradients() {
        Tensor a = param(1, 2);
        Tensor b = param(3);
        Adam adam = new Adam(List.of(a, b), LR);
        a.mul(a).sum().add(b.mul(b).sum()).backward();
        assertNotNull(a.grad());
        adam.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void rejectsInvalidHyperParameters() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("Adam: learning rate must be a finite value >= 0, got -1.0", () -> new Adam(ps, -1));
        assertMessage("Adam: beta1 must be in [0, 1), got 1.0", () -> new Adam(ps, LR, 1, 0.9, EPS, 0));
        assertMessage("Adam: beta2 must be in [0, 1), got -0.1", () -> new Adam(ps, LR, 0.9, -0.1, EPS, 0));
        assertMessage("Adam: eps must be a finite value >= 0, got -1.0E-8", () -> new Adam(ps, LR, 0.9, 0.9, -1e-8, 0));
        assertMessage("Adam: weight decay must be a finite value >= 0, got -0.1", () -> new Adam(ps, LR, 0.9, 0.9, EPS, -0.1));
        assertMessage("AdamW: weight decay must be a finite value >= 0, got NaN",
                () -> new AdamW(ps, LR, 0.9, 0.9, EPS, Double.NaN));
    }
}
