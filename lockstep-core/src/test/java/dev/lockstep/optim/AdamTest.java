package dev.lockstep.optim;

import static dev.lockstep.optim.Reference.assertClose;
import static dev.lockstep.optim.Reference.grad;
import static dev.lockstep.optim.Reference.param;
import static dev.lockstep.optim.Reference.setGrads;
import static dev.lockstep.optim.SGDTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /** Both implementations: libtorch's fused kernel (the CPU default) and one tensor at a time. */
    @ParameterizedTest(name = "wd={0} steps={1} fused={2}")
    @CsvSource({"0, 1, true", "0, 6, true", "0.1, 1, true", "0.1, 6, true",
                "0, 1, false", "0, 6, false", "0.1, 1, false", "0.1, 6, false"})
    void adamFollowsTheFormula(double wd, int steps, boolean fused) {
        double[] p0 = {0.5, -1.25, 2.0, 0.0};
        Tensor p = param(p0);
        Adam adam = new Adam(List.of(p), LR, B1, B2, EPS, wd, false, fused);
        for (int k = 0; k < steps; k++) {
            setGrads(List.of(p), k);
            adam.step();
        }
        assertClose(expected(p0, steps, wd, false), p);
        assertEquals(steps, adam.stateDict().get("state.0.step").itemLong());
    }

    @ParameterizedTest(name = "wd={0} steps={1} fused={2}")
    @CsvSource({"0.1, 1, true", "0.1, 6, true", "0, 6, true", "0.1, 1, false", "0.1, 6, false", "0, 6, false"})
    void adamWDecouplesWeightDecay(double wd, int steps, boolean fused) {
        double[] p0 = {0.5, -1.25, 2.0, 0.0};
        Tensor p = param(p0);
        Adam adamW = fused ? new AdamW(List.of(p), LR, B1, B2, EPS, wd) : new Adam(List.of(p), LR, B1, B2, EPS, wd, true, false);
        for (int k = 0; k < steps; k++) {
            setGrads(List.of(p), k);
            adamW.step();
        }
        assertClose(expected(p0, steps, wd, true), p);
    }

    /**
     * The CNN's float32 parameter shapes, 20 steps: the fused kernel and the single-tensor
     * arithmetic agree to float32 rounding, and their state dicts hold the same keys and steps.
     */
    @ParameterizedTest(name = "decoupled={0}")
    @CsvSource({"false", "true"})
    void fusedMatchesOneTensorAtATimeInFloat32(boolean decoupled) {
        long[][] shapes = {{32, 1, 3, 3}, {32}, {10, 6272}, {10}};
        List<Tensor> fusedParams = new ArrayList<>();
        List<Tensor> loopParams = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            Tensor p0 = Tensor.of(grad(i, 99, (int) Arrays.stream(shapes[i]).reduce(1, (x, y) -> x * y)), shapes[i])
                    .to(DType.FLOAT32);
            fusedParams.add(p0.clone().requiresGrad(true));
            loopParams.add(p0.clone().requiresGrad(true));
        }
        Adam fused = new Adam(fusedParams, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, true);
        Adam loop = new Adam(loopParams, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, false);
        for (int k = 0; k < 20; k++) {
            setGrads(fusedParams, k);
            setGrads(loopParams, k);
            fused.step();
            loop.step();
        }
        for (int i = 0; i < shapes.length; i++) {
            double[] f = fusedParams.get(i).toDoubleArray();
            double[] l = loopParams.get(i).toDoubleArray();
            for (int j = 0; j < f.length; j++) {
                assertEquals(l[j], f[j], 1e-6 * Math.max(1, Math.abs(l[j])), "parameter " + i + ", element " + j);
            }
        }
        Map<String, Tensor> fusedState = fused.stateDict();
        Map<String, Tensor> loopState = loop.stateDict();
        assertEquals(loopState.keySet(), fusedState.keySet());
        assertEquals(20, fusedState.get("state.2.step").itemLong());
        assertEquals(DType.INT64, fusedState.get("state.2.step").dtype());
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

    /** A transposed (non-contiguous) parameter cannot go to the fused kernel's raw buffers; it still follows the formula. */
    @Test
    void nonContiguousParameterFollowsTheFormula() {
        Tensor p = Tensor.of(new double[] {0.5, -1.25, 2.0, 0.0, 1.5, -0.5}, 2, 3).transpose(0, 1).requiresGrad(true);
        assertFalse(p.isContiguous());
        double[] p0 = p.toDoubleArray(); // in the transposed (logical) order the gradients use
        Adam adam = new Adam(List.of(p), LR, B1, B2, EPS, 0.1);
        for (int k = 0; k < 3; k++) {
            setGrads(List.of(p), k);
            adam.step();
        }
        assertClose(expected(p0, 3, 0.1, false), p);
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
