package dev.lockstep.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The framework-free limit: the seeds' MLP or CNN epoch written straight against the presets'
 * libtorch calls (raw tensors, ATen ops, libtorch's own optimisers, a PointerScope per step), with
 * nothing of Lockstep in between. Prints each epoch's seconds, then its seconds per phase, timed as
 * Lockstep's "where the time went" table times them. Usage: RawLoop {mlp|cnn} EPOCHS THREADS MNIST_DIR
 * (OpenBLAS gets the threads Lockstep's trainer gives it: THREADS for the MLP, one for the CNN;
 * {@code -Dopenblas.threads=N} gives it N). The CNN's images and convolution weight go in
 * channels-last, as Lockstep's recipe lays them out on the CPU ({@code -Dchannels.last=false}: the
 * seed's contiguous layout).
 * {@code -Devaluate=true} adds the test pass that {@code lockstep train} runs after each epoch
 * (outside the epoch's time, as there).
 */
public final class RawLoop {
    private static final boolean CHANNELS_LAST = Boolean.parseBoolean(System.getProperty("channels.last", "true"));
    private static final boolean EVALUATE = Boolean.parseBoolean(System.getProperty("evaluate", "false"));

    private RawLoop() {
    }

    public static void main(String[] args) throws IOException {
        String model = args[0];
        int epochs = Integer.parseInt(args[1]);
        Loader.load(torch.class);
        int threads = Integer.parseInt(args[2]);
        boolean cnn = model.equals("cnn");
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(Integer.getInteger("openblas.threads", cnn ? 1 : threads));
        torch.set_num_threads(threads);
        torch.manual_seed(1);
        Path dir = Path.of(args[3]);
        Tensor images = idx(dir.resolve("train-images-idx3-ubyte.gz"), 60000, 1, 28, 28)
                .to(torch.ScalarType.Float).div(new Scalar(255.0));
        Tensor labels = idx(dir.resolve("train-labels-idx1-ubyte.gz"), 60000).to(torch.ScalarType.Long);
        Tensor testImages = EVALUATE ? idx(dir.resolve("t10k-images-idx3-ubyte.gz"), 10000, 1, 28, 28)
                .to(torch.ScalarType.Float).div(new Scalar(255.0)) : null;
        Tensor testLabels = EVALUATE ? idx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 10000).to(torch.ScalarType.Long) : null;
        Tensor[] p = cnn
                ? new Tensor[] {convWeight(param(9, 32, 1, 3, 3)), param(9, 32), param(6272, 10, 6272), param(6272, 10)}
                : new Tensor[] {param(784, 256, 784), param(784, 256), param(256, 10, 256), param(256, 10)};
        TensorVector params = new TensorVector(p);
        var adam = cnn ? new Adam(params, new AdamOptions(1e-3)) : null;
        var sgd = cnn ? null : new SGD(params, new SGDOptions(0.01));
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            long[] phases = trainEpoch(cnn, images, labels, p, adam, sgd);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "raw %s epoch %d: %.2f s %.0f samples/s%n", model, epoch, seconds, 60000 / seconds);
            System.out.printf(Locale.ROOT, "raw %s phases %d: data %.3f forward %.3f backward %.3f optimizer %.3f s%n",
                    model, epoch, phases[0] / 1e9, phases[1] / 1e9, phases[2] / 1e9, phases[3] / 1e9);
            if (EVALUATE) {
                evaluate(cnn, testImages, testLabels, p);
            }
        }
    }

    /** One epoch, in a method of its own so that profiles (bench/profile.sh) can tell it from the setup. */
    private static long[] trainEpoch(boolean cnn, Tensor images, Tensor labels, Tensor[] p, Adam adam, SGD sgd) {
        int batch = cnn ? 64 : 256;
        long[] phases = new long[4]; // data, forward (with the loss), backward (with zero_grad), optimizer
        try (PointerScope epochScope = new PointerScope()) {
            Tensor order = torch.randperm(60000, new TensorOptions(torch.ScalarType.Long));
            for (long i = 0; i < 60000; i += batch) {
                try (PointerScope step = new PointerScope()) {
                    long t0 = System.nanoTime();
                    Tensor idx = order.narrow(0, i, Math.min(batch, 60000 - i));
                    Tensor x = torch.index_select(images, 0, idx);
                    Tensor y = torch.index_select(labels, 0, idx);
                    long t1 = System.nanoTime();
                    Tensor out = cnn ? cnnForward(CHANNELS_LAST ? channelsLast(x) : x, p) : mlpForward(x, p);
                    Tensor loss = torch.cross_entropy_loss(out, y);
                    long t2 = System.nanoTime();
                    if (cnn) {
                        adam.zero_grad();
                    } else {
                        sgd.zero_grad();
                    }
                    loss.backward();
                    long t3 = System.nanoTime();
                    if (cnn) {
                        adam.step();
                    } else {
                        sgd.step();
                    }
                    phases[0] += t1 - t0;
                    phases[1] += t2 - t1;
                    phases[2] += t3 - t2;
                    phases[3] += System.nanoTime() - t3;
                }
            }
        }
        return phases;
    }

    /** The test pass after each epoch, as {@code lockstep train} runs it: no gradients, the training batch. */
    private static void evaluate(boolean cnn, Tensor images, Tensor labels, Tensor[] p) {
        int batch = cnn ? 64 : 256;
        double loss = 0;
        long correct = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (long i = 0; i < 10000; i += batch) {
                try (PointerScope step = new PointerScope()) {
                    long n = Math.min(batch, 10000 - i);
                    Tensor x = images.narrow(0, i, n);
                    Tensor y = labels.narrow(0, i, n);
                    Tensor out = cnn ? cnnForward(CHANNELS_LAST ? channelsLast(x) : x, p) : mlpForward(x, p);
                    loss += torch.cross_entropy_loss(out, y).item().toDouble() * n;
                    correct += out.argmax(new LongOptional(1), false).eq(y).sum().item().toLong();
                }
            }
        }
        System.out.printf(Locale.ROOT, "raw test loss %.4f accuracy %.2f%%%n", loss / 10000, correct / 100.0);
    }

    private static Tensor mlpForward(Tensor x, Tensor[] p) {
        Tensor h = torch.relu(torch.linear(x.flatten(1, -1), p[0], new TensorOptional(p[1])));
        return torch.linear(h, p[2], new TensorOptional(p[3]));
    }

    static Tensor cnnForward(Tensor x, Tensor[] p) {
        return cnnHead(torch.conv2d(x, p[0], new TensorOptional(p[1]), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1), p);
    }

    /** ReLU, pooling and the linear layer after the convolution {@code c}. */
    static Tensor cnnHead(Tensor c, Tensor[] p) {
        Tensor pooled = torch.max_pool2d(torch.relu(c), new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}, false);
        if (!pooled.is_contiguous()) { // channels-last: as_strided's backward hands the gradient back channels-last
            pooled = pooled.as_strided(pooled.sizes(), pooled.strides());
        }
        return torch.linear(pooled.flatten(1, -1), p[2], new TensorOptional(p[3]));
    }

    /** One-channel images viewed with channels-last strides, so that the convolution computes in channels-last. */
    static Tensor channelsLast(Tensor x) {
        long[] shape = x.sizes().vec().get();
        return x.as_strided(shape, channelsLastStrides(shape));
    }

    /** The strides of [N, C, H, W] laid out channels-last: C varies fastest, then W, then H. */
    private static long[] channelsLastStrides(long[] s) {
        return new long[] {s[1] * s[2] * s[3], 1, s[3] * s[1], s[1]};
    }

    /**
     * The convolution's weight in the images' layout, as PyTorch's channels-last recipe
     * ({@code model.to(memory_format=torch.channels_last)}) and Lockstep's trainer lay it out.
     */
    static Tensor convWeight(Tensor w) {
        if (!CHANNELS_LAST) {
            return w;
        }
        long[] shape = w.sizes().vec().get();
        Tensor t = torch.empty_strided(shape, channelsLastStrides(shape), new TensorOptions(torch.ScalarType.Float));
        try (NoGradGuard g = new NoGradGuard()) {
            t.copy_(w);
        }
        return t.set_requires_grad(true);
    }

    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for Linear and Conv2d. */
    static Tensor param(long fanIn, long... shape) {
        Tensor t = torch.empty(shape);
        double bound = 1 / Math.sqrt(fanIn);
        try (NoGradGuard g = new NoGradGuard()) {
            t.uniform_(-bound, bound, new GeneratorOptional());
        }
        return t.set_requires_grad(true);
    }

    static Tensor idx(Path file, long... shape) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream data = new DataInputStream(in)) {
            int dims = data.readInt() & 0xFF;
            for (int i = 0; i < dims; i++) {
                data.readInt();
            }
            byte[] bytes = data.readAllBytes();
            try (BytePointer p = new BytePointer(bytes)) {
                return torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Byte)).clone();
            }
        }
    }
}
