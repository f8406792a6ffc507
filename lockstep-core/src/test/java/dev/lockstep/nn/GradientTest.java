package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Autograd gradients of every layer and loss, for inputs and parameters, against central differences. */
class GradientTest {

    @BeforeEach
    void seed() {
        Torch.manualSeed(42);
    }

    private static Tensor randn(long... shape) {
        return Tensor.randn(DType.FLOAT64, shape);
    }

    /** Values at least 0.1 away from 0, so a step of 1e-6 never crosses ReLU's kink. */
    private static Tensor awayFromZero(long... shape) {
        Tensor u = Tensor.rand(DType.FLOAT64, shape);
        Tensor sign = Tensor.rand(DType.FLOAT64, shape).gt(0.5).to(DType.FLOAT64).mul(2).sub(1);
        return u.add(0.1).mul(sign);
    }

    @Test
    void linear() {
        GradCheck.checkModule(new Linear(4, 3), randn(2, 4));
    }

    @Test
    void conv2dWithStrideAndPadding() {
        GradCheck.checkModule(new Conv2d(2, 3, 3, 2, 1), randn(2, 2, 5, 5));
    }

    @Test
    void maxPool2d() {
        // Continuous random values: no ties, and a 1e-6 step does not change any window's maximum.
        GradCheck.checkModule(new MaxPool2d(2), randn(2, 2, 4, 4));
    }

    @Test
    void avgPool2dWithStrideBelowKernel() {
        GradCheck.checkModule(new AvgPool2d(3, 2), randn(2, 2, 5, 5));
    }

    @Test
    void relu() {
        GradCheck.checkModule(new ReLU(), awayFromZero(3, 4));
    }

    @Test
    void flatten() {
        GradCheck.checkModule(new Flatten(), randn(2, 2, 3));
    }

    @Test
    void sequentialCnn() {
        // No conv bias: batch norm subtracts the per-channel mean, so its gradient would be exactly 0.
        Module net = new Sequential(new Conv2d(1, 2, 3, 1, 1, false), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(8, 3));
        GradCheck.checkModule(net, randn(2, 1, 4, 4));
    }

    @Test
    void batchNorm1dTraining() {
        BatchNorm1d bn = new BatchNorm1d(3);
        randomiseAffine(bn);
        GradCheck.checkModule(bn, randn(4, 3));
    }

    @Test
    void batchNorm1dTrainingOnSequences() {
        BatchNorm1d bn = new BatchNorm1d(2);
        randomiseAffine(bn);
        GradCheck.checkModule(bn, randn(3, 2, 4));
    }

    @Test
    void batchNorm2dTraining() {
        BatchNorm2d bn = new BatchNorm2d(2);
        randomiseAffine(bn);
        GradCheck.checkModule(bn, randn(2, 2, 3, 3));
    }

    @Test
    void batchNorm2dEval() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.to(DType.FLOAT64).forward(randn(3, 2, 2, 2)); // non-trivial running stats
        bn.eval();
        GradCheck.checkModule(bn, randn(2, 2, 3, 3));
    }

    /** weight = 1 and bias = 0 by default; other values make the parameter gradients less special. */
    private static void randomiseAffine(BatchNorm bn) {
        bn.weight.setData(Tensor.rand(DType.FLOAT32, bn.weight.shape()).add(0.5));
        bn.bias.setData(Tensor.randn(bn.bias.shape()));
    }

    @Test
    void dropoutWithoutDrop() {
        GradCheck.checkModule(new Dropout(0.0), randn(3, 4));
    }

    @Test
    void dropoutWithFixedMask() {
        Dropout dropout = new Dropout(0.5);
        Tensor x = randn(4, 5);
        // Reseeding before every forward gives every evaluation the same mask, so f is a fixed
        // function of x and its gradient (mask / (1 - p)) is well defined.
        Runnable sameMask = () -> Torch.manualSeed(7);
        sameMask.run();
        double[] out = dropout.forward(x).toDoubleArray();
        double[] in = x.toDoubleArray();
        int dropped = 0;
        for (int i = 0; i < in.length; i++) {
            if (out[i] == 0) {
                dropped++;
            } else {
                assertEquals(2 * in[i], out[i], 1e-12, "survivors are scaled by 1/(1-p)");
            }
        }
        assertTrue(dropped > 0 && dropped < in.length, "mask must drop some but not all, dropped " + dropped);
        GradCheck.checkModule(dropout, x, sameMask);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void crossEntropyLoss(Reduction reduction) {
        checkClassLoss(new CrossEntropyLoss(reduction), randn(3, 4));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void nllLoss(Reduction reduction) {
        // NLL is linear in its input, so arbitrary values (not only log-probabilities) are a fair test.
        checkClassLoss(new NLLLoss(reduction), randn(3, 4));
    }

    private static void checkClassLoss(Loss loss, Tensor logits) {
        Tensor input = logits.requiresGrad(true);
        Tensor target = Tensor.of(new long[] {1, 3, 0}, 3);
        Tensor r = randn(3);
        GradCheck.check(() -> reduce(loss.forward(input, target), r), Map.of("input", input));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void mseLoss(Reduction reduction) {
        Tensor input = randn(2, 3).requiresGrad(true);
        Tensor target = randn(2, 3).requiresGrad(true);
        Tensor r = randn(2, 3);
        Loss loss = new MSELoss(reduction);
        GradCheck.check(() -> reduce(loss.forward(input, target), r), Map.of("input", input, "target", target));
    }

    /** Scalar losses pass through; per-element ones (Reduction.NONE) get random weights. */
    private static Tensor reduce(Tensor loss, Tensor r) {
        return loss.dim() == 0 ? loss : loss.mul(r).sum();
    }
}
