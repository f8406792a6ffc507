package dev.lockstep.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Which CPU convolution path trains the seed CNN fastest: libtorch's default (contiguous
 * images), PyTorch's channels-last recipe ({@code contiguous(channels_last)} on the images and the
 * conv weight, which leaves one-channel tensors as they are), channels-last strides forced on
 * the images (what Lockstep's {@code Tensor.contiguous(MemoryFormat)} does, so that convolution,
 * ReLU and pooling run in channels-last), the same with the bias added after a bias-free
 * convolution (so that libtorch's sum, not oneDNN's weight-gradient kernel, reduces the bias's
 * gradient), and oneDNN switched off (im2col + OpenBLAS).
 * Each variant runs STEPS training steps (batch 64, Adam), the variants interleaved, REPS times;
 * prints ms per step with its forward and backward parts.
 * Usage: ConvPathsBench DATA_DIR THREADS [STEPS=300] [REPS=3]
 */
public final class ConvPathsBench {
    private static final List<String> VARIANTS = List.of("default", "pytorch-cl", "channels-last", "cl-bias-apart", "no-onednn");

    public static void main(String[] args) throws IOException {
        Loader.load(torch.class);
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(1);
        torch.set_num_threads(Integer.parseInt(args[1]));
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path dir = Path.of(args[0]);
        Tensor images = RawLoop.idx(dir.resolve("train-images-idx3-ubyte.gz"), 60000, 1, 28, 28)
                .to(torch.ScalarType.Float).div(new Scalar(255.0));
        Tensor labels = RawLoop.idx(dir.resolve("train-labels-idx1-ubyte.gz"), 60000).to(torch.ScalarType.Long);
        System.out.println("oneDNN available: " + torch.globalContext().hasMKLDNN());
        Map<String, List<double[]>> results = new TreeMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (String v : VARIANTS) {
                results.computeIfAbsent(v, k -> new ArrayList<>()).add(run(v, images, labels, steps));
            }
        }
        System.out.println("variant        ms/step  forward  backward+step   (medians of " + reps + " x " + steps + " steps)");
        for (var e : results.entrySet()) {
            System.out.printf(Locale.ROOT, "%-14s %7.2f %8.2f %14.2f%n", e.getKey(), median(e.getValue(), 0),
                    median(e.getValue(), 1), median(e.getValue(), 2));
        }
    }

    /** {ms per step, forward ms, backward + optimiser ms}. */
    private static double[] run(String variant, Tensor images, Tensor labels, int steps) {
        torch.globalContext().setUserEnabledMkldnn(!variant.equals("no-onednn"));
        boolean pytorchRecipe = variant.equals("pytorch-cl");
        torch.manual_seed(1);
        Tensor[] p = {RawLoop.param(9, 32, 1, 3, 3), RawLoop.param(9, 32), RawLoop.param(6272, 10, 6272),
                RawLoop.param(6272, 10)};
        if (pytorchRecipe) {
            p[0] = p[0].detach().contiguous(torch.MemoryFormat.ChannelsLast).set_requires_grad(true);
        }
        Adam adam = new Adam(new TensorVector(p), new AdamOptions(1e-3));
        long forward = 0;
        long total = 0;
        try (PointerScope run = new PointerScope()) {
            Tensor order = torch.randperm(60000, new TensorOptions(torch.ScalarType.Long));
            for (int s = -20; s < steps; s++) { // 20 warm-up steps, not timed
                try (PointerScope step = new PointerScope()) {
                    long t0 = System.nanoTime();
                    Tensor x = torch.index_select(images, 0, order.narrow(0, (s + 20) * 64L, 64));
                    if (pytorchRecipe) {
                        x = x.contiguous(torch.MemoryFormat.ChannelsLast);
                    } else if (variant.equals("channels-last") || variant.equals("cl-bias-apart")) {
                        x = RawLoop.channelsLast(x);
                    }
                    Tensor y = torch.index_select(labels, 0, order.narrow(0, (s + 20) * 64L, 64));
                    Tensor out = variant.equals("cl-bias-apart") ? biasApartForward(x, p) : RawLoop.cnnForward(x, p);
                    Tensor loss = torch.cross_entropy_loss(out, y);
                    loss.item_float();
                    long t1 = System.nanoTime();
                    adam.zero_grad();
                    loss.backward();
                    adam.step();
                    long t2 = System.nanoTime();
                    if (s >= 0) {
                        forward += t1 - t0;
                        total += t2 - t0;
                    }
                }
            }
        }
        torch.globalContext().setUserEnabledMkldnn(true);
        return new double[] {total / 1e6 / steps, forward / 1e6 / steps, (total - forward) / 1e6 / steps};
    }

    /** {@link RawLoop#cnnForward}, the convolution's bias added by an op of its own. */
    private static Tensor biasApartForward(Tensor x, Tensor[] p) {
        Tensor c = torch.conv2d(x, p[0], new TensorOptional(), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1)
                .add(p[1].view(1, -1, 1, 1));
        return RawLoop.cnnHead(c, p);
    }

    private static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v[v.length / 2];
    }
}
