package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finite-difference gradient checker (test utility), in FLOAT64: compares autograd's gradient of
 * a scalar function with central differences (f(x+h) - f(x-h)) / 2h for every element of every
 * given leaf tensor.
 */
final class GradCheck {
    static final double H = 1e-6;
    /** Relative tolerance; the absolute floor covers rounding in f (~1e-16 |f| / h) for near-zero entries. */
    static final double RTOL = 1e-6;
    static final double ATOL = 1e-8;

    private GradCheck() {
    }

    /**
     * Checks d/d(input and every parameter) of {@code sum(module(input) * r)} for a fixed random
     * {@code r}: random weights, unlike a plain sum, do not hide errors (the sum of a batch-normed
     * output does not depend on the input at all). The module and input are converted to FLOAT64.
     */
    static void checkModule(Module module, Tensor input) {
        checkModule(module, input, () -> { });
    }

    /** As above, running {@code beforeForward} before every evaluation (e.g. reseeding dropout). */
    static void checkModule(Module module, Tensor input, Runnable beforeForward) {
        module.to(DType.FLOAT64);
        Tensor x = input.to(DType.FLOAT64).detach().requiresGrad(true);
        Tensor r;
        try (NoGrad g = NoGrad.open()) {
            beforeForward.run();
            r = Tensor.randn(DType.FLOAT64, module.forward(x).shape());
        }
        Map<String, Tensor> wrt = new LinkedHashMap<>();
        wrt.put("input", x);
        wrt.putAll(module.namedParameters());
        check(() -> {
            beforeForward.run();
            return module.forward(x).mul(r).sum();
        }, wrt);
    }

    /** Checks the gradient of the scalar {@code f} with respect to each named FLOAT64 leaf. */
    static void check(Supplier<Tensor> f, Map<String, Tensor> wrt) {
        wrt.forEach((name, t) -> {
            assertEquals(DType.FLOAT64, t.dtype(), name + " must be FLOAT64 for a meaningful check");
            assertTrue(t.requiresGrad(), name + " must require grad");
            t.clearGrad();
        });
        Tensor out = f.get();
        assertEquals(0, out.dim(), "f must return a scalar");
        out.backward();
        wrt.forEach((name, t) -> {
            assertNotNull(t.grad(), "no gradient reached " + name);
            double[] analytic = t.grad().toDoubleArray();
            double[] numeric = numericGradient(f, t);
            // An all-zero gradient would make the comparison vacuous.
            assertTrue(Arrays.stream(numeric).anyMatch(v -> Math.abs(v) > 1e-3),
                    name + ": numeric gradient is (almost) zero, the check would prove nothing");
            for (int i = 0; i < numeric.length; i++) {
                double err = Math.abs(analytic[i] - numeric[i]);
                if (err > RTOL * Math.abs(numeric[i]) + ATOL) {
                    fail(name + "[" + i + "]: autograd " + analytic[i] + " vs central difference " + numeric[i]
                            + " (|diff| " + err + ")");
                }
            }
        });
    }

    private static double[] numericGradient(Supplier<Tensor> f, Tensor t) {
        long[] shape = t.shape();
        double[] values = t.toDoubleArray();
        double[] grad = new double[values.length];
        try (NoGrad g = NoGrad.open()) {
            for (int i = 0; i < values.length; i++) {
                double original = values[i];
                double plus = evaluateAt(f, t, values, shape, i, original + H);
                double minus = evaluateAt(f, t, values, shape, i, original - H);
                values[i] = original;
                grad[i] = (plus - minus) / (2 * H);
            }
            t.copyFrom(Tensor.of(values, shape));
        }
        return grad;
    }

    private static double evaluateAt(Supplier<Tensor> f, Tensor t, double[] values, long[] shape, int i, double v) {
        try (MemoryScope s = MemoryScope.open()) {
            values[i] = v;
            t.copyFrom(Tensor.of(values, shape));
            return f.get().item();
        }
    }
}
