package dev.lockstep.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.tensor.Tensor;
import java.util.List;

/** Helpers for checking optimisers against their formulas in plain double arithmetic. */
final class Reference {
    private Reference() {
    }

    /** A float64 leaf that requires grad. */
    static Tensor param(double... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    /** A deterministic gradient for step {@code k} of parameter {@code p}, with mixed signs and sizes. */
    static double[] grad(int p, int k, int n) {
        double[] g = new double[n];
        for (int j = 0; j < n; j++) {
            g[j] = Math.sin(1.7 * k + 0.9 * j + 3.1 * p) * (1 + j);
        }
        return g;
    }

    static void setGrads(List<Tensor> params, int k) {
        for (int p = 0; p < params.size(); p++) {
            params.get(p).setGrad(Tensor.of(grad(p, k, (int) params.get(p).numel()), params.get(p).shape())
                    .to(params.get(p).dtype()));
        }
    }

    static void assertClose(double[] expected, Tensor actual) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length);
        for (int j = 0; j < a.length; j++) {
            assertEquals(expected[j], a[j], 1e-12 * Math.max(1, Math.abs(expected[j])), "element " + j);
        }
    }
}
