package dev.lockstep.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.BoolPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The seed CNN's layer ops, one at a time, on its batch shapes (64 images, 32 channels of 28×28,
 * pooled to 14×14) in the contiguous layout and in channels-last: microseconds per call, the
 * mean of 100 calls after 10 untimed ones, ROUNDS rounds. Backward ops are called directly, with
 * the gradient in either layout. Usage: LayoutOpsBench THREADS ROUNDS
 */
public final class LayoutOpsBench {
    private LayoutOpsBench() {
    }

    public static void main(String[] args) {
        Loader.load(torch.class);
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(1);
        torch.set_num_threads(Integer.parseInt(args[0]));
        int rounds = Integer.parseInt(args[1]);
        torch.manual_seed(1);
        long[] two = {2, 2};
        long[] zero = {0, 0};
        long[] one = {1, 1};
        Tensor x = torch.randn(64, 1, 28, 28);
        Tensor xLast = RawLoop.channelsLast(x);
        Tensor w = torch.randn(32, 1, 3, 3);
        Tensor b = torch.zeros(32);
        Tensor act = torch.relu(torch.randn(64, 32, 28, 28));
        Tensor actLast = act.contiguous(torch.MemoryFormat.ChannelsLast);
        T_TensorTensor_T pooledLast = torch.max_pool2d_with_indices(actLast, two, two, zero, one, false);
        Tensor grad = torch.randn(64, 32, 14, 14);
        Tensor gradLast = grad.contiguous(torch.MemoryFormat.ChannelsLast);
        Tensor bigGrad = torch.randn(64, 32, 28, 28);
        Tensor bigGradLast = bigGrad.contiguous(torch.MemoryFormat.ChannelsLast);
        BoolPointer weightAndBias = new BoolPointer(3);
        weightAndBias.put(0, false).put(1, true).put(2, true);
        Map<String, Runnable> ops = new LinkedHashMap<>();
        ops.put("conv2d, contiguous", () -> torch.conv2d(x, w, new TensorOptional(b), one, one, one, 1));
        ops.put("conv2d, channels-last", () -> torch.conv2d(xLast, w, new TensorOptional(b), one, one, one, 1));
        ops.put("max_pool2d_with_indices, contiguous", () -> torch.max_pool2d_with_indices(act, two, two, zero, one, false));
        ops.put("max_pool2d_with_indices, channels-last", () -> torch.max_pool2d_with_indices(actLast, two, two, zero, one, false));
        ops.put("max_pool2d without gradients, contiguous", () -> torch.max_pool2d(act, two, two, zero, one, false));
        ops.put("max_pool2d without gradients, channels-last", () -> torch.max_pool2d(actLast, two, two, zero, one, false));
        ops.put("adaptive_max_pool2d to 14x14, contiguous", () -> torch.adaptive_max_pool2d(act, 14, 14));
        ops.put("adaptive_max_pool2d to 14x14, channels-last", () -> torch.adaptive_max_pool2d(actLast, 14, 14));
        ops.put("max_pool2d backward, channels-last, gradient channels-last", () -> torch.max_pool2d_with_indices_backward(
                gradLast, actLast, two, two, zero, one, false, pooledLast.get1()));
        ops.put("max_pool2d backward, channels-last, gradient contiguous", () -> torch.max_pool2d_with_indices_backward(
                grad, actLast, two, two, zero, one, false, pooledLast.get1()));
        ops.put("relu backward, channels-last", () -> torch.threshold_backward(bigGradLast, actLast, new Scalar(0.0)));
        ops.put("conv2d backward (weight, bias), contiguous", () -> torch.convolution_backward(bigGrad, x, w,
                new long[] {32}, one, one, one, false, zero, 1, weightAndBias));
        ops.put("conv2d backward (weight, bias), channels-last", () -> torch.convolution_backward(bigGradLast, xLast, w,
                new long[] {32}, one, one, one, false, zero, 1, weightAndBias));
        ops.put("28x28 activations to channels-last", () -> act.contiguous(torch.MemoryFormat.ChannelsLast));
        ops.put("14x14 gradient to channels-last", () -> grad.contiguous(torch.MemoryFormat.ChannelsLast));
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int round = 1; round <= rounds; round++) {
                for (var op : ops.entrySet()) {
                    System.out.printf(Locale.ROOT, "round %d  %-60s %7.0f us%n", round, op.getKey(), microseconds(op.getValue()));
                }
            }
        }
    }

    private static double microseconds(Runnable op) {
        for (int i = 0; i < 10; i++) {
            try (PointerScope s = new PointerScope()) {
                op.run();
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            try (PointerScope s = new PointerScope()) {
                op.run();
            }
        }
        return (System.nanoTime() - start) / 1e3 / 100;
    }
}
