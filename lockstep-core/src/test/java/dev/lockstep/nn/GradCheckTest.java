package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The checker itself must reject wrong and vacuous gradients, or the other checks mean nothing. */
class GradCheckTest {

    @Test
    void acceptsCorrectGradient() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5, 2}, 3).requiresGrad(true);
        GradCheck.check(() -> x.mul(x).mul(x).sum(), Map.of("x", x));
    }

    @Test
    void rejectsWrongGradient() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5, 2}, 3).requiresGrad(true);
        // Detaching one factor makes autograd report x where the true derivative of x² is 2x.
        assertThrows(AssertionFailedError.class, () -> GradCheck.check(() -> x.mul(x.detach()).sum(), Map.of("x", x)));
    }

    @Test
    void rejectsGradientOffByOnePartIn1e5() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5, 2}, 3).requiresGrad(true);
        // The value is sum(x³), but autograd only sees x·c with c = 3x²·(1 + 1e-5) held constant.
        assertThrows(AssertionFailedError.class, () -> GradCheck.check(() -> {
            Tensor c = x.detach().pow(2).mul(3 * (1 + 1e-5));
            Tensor linear = x.mul(c).sum();
            return x.detach().pow(3).sum().add(linear.sub(linear.detach()));
        }, Map.of("x", x)));
    }

    @Test
    void rejectsVacuousCheck() {
        Tensor x = Tensor.ones(DType.FLOAT64, 3).requiresGrad(true);
        assertThrows(AssertionFailedError.class, () -> GradCheck.check(() -> x.mul(0).sum(), Map.of("x", x)));
    }

    @Test
    void rejectsFloat32() {
        Tensor x = Tensor.ones(3).requiresGrad(true);
        assertThrows(AssertionFailedError.class, () -> GradCheck.check(() -> x.sum(), Map.of("x", x)));
    }
}
