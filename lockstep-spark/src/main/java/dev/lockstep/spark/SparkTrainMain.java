package dev.lockstep.spark;

import dev.lockstep.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code spark-submit --class dev.lockstep.spark.SparkTrainMain lockstep-spark.jar --num-processes N
 * [--gpu] [--max-attempts N] [--out DIR] <lockstep train options> [--checkpoint-dir DIR ...]}: trains
 * with N ranks on the cluster (resuming from the latest checkpoint in the checkpoint directory),
 * prints each epoch's metrics and writes {@code DIR/model.safetensors} on the driver.
 * Exits 2 on bad usage, 1 when training failed.
 */
public final class SparkTrainMain {
    static final String USAGE = "usage: spark-submit --class dev.lockstep.spark.SparkTrainMain lockstep-spark.jar"
            + " --num-processes N [--gpu] [--max-attempts N] [--out DIR] [lockstep train options: --model --epochs"
            + " --batch-size --lr --optimizer --seed --data-dir --threads --timeout --log-interval]"
            + " [--checkpoint-dir DIR [--checkpoint-every N|epoch] [--keep-checkpoints K]]";

    private SparkTrainMain() {
    }

    public static void main(String[] args) throws IOException {
        List<String> train = new ArrayList<>();
        SparkDistributor.Builder distributor = SparkDistributor.builder();
        Path out = null;
        boolean hasProcesses = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--num-processes" -> {
                        distributor.numProcesses(Integer.parseInt(value(args, ++i)));
                        hasProcesses = true;
                    }
                    case "--max-attempts" -> distributor.maxAttempts(Integer.parseInt(value(args, ++i)));
                    case "--gpu" -> distributor.useGpu(true);
                    case "--out" -> out = Path.of(value(args, ++i));
                    default -> train.add(args[i]);
                }
            }
            if (!hasProcesses) {
                throw new IllegalArgumentException("--num-processes is required");
            }
            TrainJob job = TrainJob.parse(train);
            if (out != null) {
                Files.createDirectories(out); // fail before training, not after it
            }
            try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("lockstep train"))) {
                SparkTrainResult result = distributor.build().run(sc, job);
                for (EpochMetrics m : result.metrics().epochs()) {
                    System.out.printf(Locale.ROOT, "epoch %d: train loss %.6f, test loss %.6f, test accuracy %.4f, %.1f s%n",
                            m.epoch(), m.trainLoss(), m.testLoss(), m.testAccuracy(), m.seconds());
                }
                if (out != null) {
                    result.saveWeights(out.resolve("model.safetensors"));
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("lockstep: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        } catch (IllegalStateException e) {
            System.err.println("lockstep: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
