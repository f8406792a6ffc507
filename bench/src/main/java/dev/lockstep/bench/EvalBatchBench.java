package dev.lockstep.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What the evaluation batch costs: the seed CNN's forward pass (no gradients) over MNIST's 10,000
 * test images, at each batch size given, in ROUNDS interleaved rounds; prints milliseconds and the
 * process's minor page faults during each pass (glibc maps blocks over its mmap threshold afresh,
 * and the kernel faults them in page by page).
 * Usage: EvalBatchBench MNIST_DIR THREADS ROUNDS BATCH...
 */
public final class EvalBatchBench {
    private EvalBatchBench() {
    }

    public static void main(String[] args) throws IOException {
        Loader.load(torch.class);
        torch.set_num_threads(Integer.parseInt(args[1]));
        int rounds = Integer.parseInt(args[2]);
        torch.manual_seed(1);
        Tensor images = RawLoop.idx(Path.of(args[0]).resolve("t10k-images-idx3-ubyte.gz"), 10000, 1, 28, 28)
                .to(torch.ScalarType.Float).div(new Scalar(255.0));
        Tensor[] p = {RawLoop.param(9, 32, 1, 3, 3), RawLoop.param(9, 32), RawLoop.param(6272, 10, 6272), RawLoop.param(6272, 10)};
        try (NoGradGuard g = new NoGradGuard()) {
            for (int round = 1; round <= rounds; round++) {
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (int i = 3; i < args.length; i++) {
                    int batch = Integer.parseInt(args[i]);
                    long faults = minorFaults();
                    long start = System.nanoTime();
                    long predicted = 0;
                    for (long from = 0; from < 10000; from += batch) {
                        try (PointerScope step = new PointerScope()) {
                            Tensor out = RawLoop.cnnForward(images.narrow(0, from, Math.min(batch, 10000 - from)), p);
                            predicted += out.argmax(new LongOptional(1), false).numel();
                        }
                    }
                    if (predicted != 10000) {
                        throw new IllegalStateException("evaluated " + predicted + " images, expected 10000");
                    }
                    line.append(String.format(Locale.ROOT, "  batch %d %.0f ms %d faults",
                            batch, (System.nanoTime() - start) / 1e6, minorFaults() - faults));
                }
                System.out.println(line);
            }
        }
    }

    /** minflt, the 10th field of /proc/self/stat (after the parenthesised command name). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
