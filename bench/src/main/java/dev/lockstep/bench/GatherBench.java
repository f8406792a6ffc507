package dev.lockstep.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * What making one training batch costs: random rows of MNIST's training images gathered with
 * {@code index_select}, from float images (converted once up front, as Lockstep and the raw loop
 * keep them) or from the uint8 pixels followed by the float conversion (as torchvision's per-item
 * {@code ToTensor}). Two floors beside them: making the random indices alone, which every column
 * includes, and copying {@code BATCH} consecutive float rows, the least any new float batch
 * costs. Microseconds per batch, 1,000 batches per round, straight on the presets.
 * Usage: GatherBench BATCH THREADS ROUNDS MNIST_DIR
 */
public final class GatherBench {
    private GatherBench() {
    }

    public static void main(String[] args) throws IOException {
        int batch = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Loader.load(torch.class);
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(1);
        torch.set_num_threads(threads);
        Tensor pixels = RawLoop.idx(Path.of(args[3]).resolve("train-images-idx3-ubyte.gz"), 60000, 1, 28, 28);
        Tensor floats = pixels.to(torch.ScalarType.Float).div(new Scalar(255.0));
        SplittableRandom random = new SplittableRandom(1);
        for (int round = 1; round <= rounds; round++) {
            double indicesOnly = perBatch(random, batch, idx -> idx);
            double consecutive = perBatch(random, batch,
                    idx -> floats.narrow(0, random.nextInt(60000 - batch), batch).clone());
            double floatRows = perBatch(random, batch, idx -> torch.index_select(floats, 0, idx));
            double byteRows = perBatch(random, batch,
                    idx -> torch.index_select(pixels, 0, idx).to(torch.ScalarType.Float).div_(new Scalar(255.0)));
            System.out.printf(Locale.ROOT, "gather batch %d threads %d round %d: indices alone %.1f us,"
                    + " consecutive float rows %.1f us, float rows %.1f us, uint8 rows + conversion %.1f us%n",
                    batch, threads, round, indicesOnly, consecutive, floatRows, byteRows);
        }
    }

    /** Microseconds per batch of {@code gather} over 1,000 batches of random indices. */
    private static double perBatch(SplittableRandom random, int batch, Function<Tensor, Tensor> gather) {
        int batches = 1000;
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            try (PointerScope step = new PointerScope()) {
                long[] idx = new long[batch];
                for (int i = 0; i < batch; i++) {
                    idx[i] = random.nextInt(60000);
                }
                Tensor indices = torch.from_blob(new LongPointer(idx), new long[] {batch},
                        new TensorOptions(torch.ScalarType.Long)).clone();
                gather.apply(indices);
            }
        }
        return (System.nanoTime() - start) / 1e3 / batches;
    }
}
