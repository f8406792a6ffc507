package dev.lockstep.cli;

import static dev.lockstep.cli.CliRun.lockstep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.io.CheckpointStore;
import dev.lockstep.io.Safetensors;
import dev.lockstep.models.ModelKind;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    Path tmp;

        private Path subset() throws IOException {
        return MnistSubset.write(Files.createDirectories(tmp.resolve("mnist")), 2048, 512);
    }

    @Test
    void trainsTheMlpLogsInTheSeedFormatAndWritesResults() throws IOException {
        Path data = subset();
        Path out = tmp.resolve("out");
        CliRun r = lockstep("train", "--model", "mlp", "--data-dir", data.toString(), "--epochs", "2", "--batch-size", "64",
                "--log-interval", "8", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Train Epoch: 1 [512/2048 (25%)]\tLoss: "), r.out());
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("Loss: (\\d+\\.\\d{6})").matcher(r.out());
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        assertEquals(8, losses.size(), r.out());
        assertTrue(losses.get(0) > 2.0 && losses.get(7) < 1.0, "loss should fall from ~2.3: " + losses);
        Matcher acc = Pattern.compile("Accuracy: (\\d+)/512").matcher(r.out());
        int correct = 0;
        while (acc.find()) {
            correct = Integer.parseInt(acc.group(1)); // the last epoch's
        }
        assertTrue(correct > 400, r.out());

        String json = Files.readString(out.resolve("metrics.json"));
        for (String key : List.of("\"epoch\":2", "\"train_loss\":", "\"test_loss\":", "\"seconds\":", "\"samples_per_sec\":")) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }
        Map<String, Tensor> weights = Safetensors.load(out.resolve("model.safetensors"));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(weights.keySet()));
        assertEquals(256 * 784, weights.get("fc1.weight").numel());
    }

    @Test
    void sameSeedGivesTheSameRun() throws IOException {
        Path data = subset();
        String[] args = {"train", "--model", "simplenn", "--data-dir", data.toString(), "--log-interval", "4", "--threads", "1"};
        CliRun a = lockstep(args);
        CliRun b = lockstep(args);
        assertEquals(0, a.code(), a.err());
        assertEquals(withoutTimes(a.out()), withoutTimes(b.out()));
        assertTrue(withoutTimes(a.out()).contains("Test set:"), a.out());
    }

    /** The output without the where-the-time-went table, whose timings differ from run to run. */
    private static String withoutTimes(String out) {
        return out.substring(0, out.indexOf("Where the time went")) + out.substring(out.indexOf("Test accuracy:"));
    }

    @Test
    void regressionTrainsOnSyntheticData() {
        CliRun r = lockstep("train", "--model", "regression", "--epochs", "3", "--optimizer", "sgd", "--lr", "0.05",
                "--log-interval", "0", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("Average loss: (\\d+\\.\\d+)").matcher(r.out());
        List<Double> losses = new ArrayList<>();
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        assertEquals(3, losses.size(), r.out());
        assertTrue(losses.get(2) < losses.get(0) && losses.get(2) < 0.5, "test MSE should fall: " + losses);
    }

    @Test
    void badInputGivesOneLineNamingTheProblemAndExitCode2() throws IOException {
        Path data = subset();
        Path notDir = Files.writeString(tmp.resolve("file"), "x");
        Path bad = MnistSubset.write(Files.createDirectories(tmp.resolve("bad")), 16, 16);
        Files.writeString(bad.resolve("train-images-idx3-ubyte"), "garbage!");
        assertError("unknown model 'resnet'", "train", "--model", "resnet");
        assertError("--batch-size must be a positive integer, got 0", "train", "--batch-size", "0");
        assertError("--batch-size must be a positive integer, got -3", "train", "--batch-size", "-3");
        assertError("--epochs must be an integer, got 'two'", "train", "--epochs", "two");
        assertError("--blas-threads must be a positive integer, got 0", "train", "--blas-threads", "0");
        assertError("--num-workers must be an integer >= 0, got -1", "train", "--num-workers", "-1");
        assertError("unknown option --frobnicate", "train", "--frobnicate");
        assertError("nowhere: not a directory", "train", "--data-dir", tmp.resolve("nowhere").toString());
        Files.createDirectories(tmp.resolve("empty"));
        assertError("missing (neither train-images-idx3-ubyte", "train", "--data-dir", tmp.resolve("empty").toString());
        assertError("wrong magic number", "train", "--data-dir", tmp.resolve("bad").toString());
        assertError("--out " + notDir.resolve("sub") + " is not a writable directory", "train", "--data-dir",
                data.toString(), "--out", notDir.resolve("sub").toString());
        assertError("unknown --optimizer 'rmsprop'", "train", "--optimizer", "rmsprop");
        assertError("unknown command 'fly'", "fly");
        assertError("unknown model 'resnet'", "train", "--strategy", "ddp", "--nproc-per-node", "2", "--model", "resnet");
        Path used = Files.createDirectories(tmp.resolve("used/checkpoints").resolve(CheckpointStore.name(5))).getParent();
        for (String[] launch : List.of(new String[0], new String[] {"--strategy", "ddp", "--nproc-per-node", "2"})) {
            List<String> args = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out",
                    used.getParent().toString(), "--checkpoint-every", "epoch"));
            args.addAll(List.of(launch));
            assertError(used + " already holds 1 checkpoint (newest step-000000005): resume from them, or write this"
                    + " run's checkpoints elsewhere (--resume, or another --out)", args.toArray(String[]::new));
        }
        assertError("--normalize must be 'none' or MEAN,STD with STD > 0 (e.g. 0.1307,0.3081), got '0.5'",
                "train", "--normalize", "0.5");
        assertError("got '0.5,0'", "train", "--normalize", "0.5,0");
        assertError("--normalize applies to the MNIST models, not --model regression", "train", "--model",
                "regression", "--normalize", "none");
        assertError("unknown --lr-schedule 'linear': expected constant or cosine", "train", "--lr-schedule", "linear");
        assertError("--random-crop must be a number of pixels >= 0, got -1", "train", "--random-crop", "-1");
        assertError("--random-crop must be an integer, got 'two'", "train", "--random-crop", "two");
        assertError("--random-crop applies to the MNIST models, not --model regression", "train", "--model",
                "regression", "--random-crop", "2");
        assertError("unknown --memory-format 'nhwc': expected contiguous or channels-last", "train",
                "--memory-format", "nhwc");
        assertError("--memory-format channels-last applies to the MNIST models' images, not --model regression",
                "train", "--model", "regression", "--memory-format", "channels-last");
    }

    @Test
    void normalizeReplacesTheModelsOwnTransform() {
        Tensor pixels = Tensor.of(new float[] {0, 255}, 1, 2).to(DType.UINT8);
        assertArrayEquals(new float[] {(float) ((0 - 0.1307) / 0.3081), (float) ((1 - 0.1307) / 0.3081)},
                transformed(pixels, "--model", "cnn"), 1e-6f);
        assertArrayEquals(new float[] {0, 1}, transformed(pixels, "--model", "cnn", "--normalize", "none"), 0f);
        assertArrayEquals(new float[] {-2, 2}, transformed(pixels, "--model", "mlp", "--normalize", "0.5,0.25"), 1e-6f);
        assertArrayEquals(new float[] {-1, 1}, transformed(pixels, "--model", "simplenn"), 1e-6f);
    }

    private static float[] transformed(Tensor pixels, String... args) {
        Args a = Args.parse(List.of(args), Set.of("model", "normalize"), Set.of());
        return TrainCommand.transform(a, ModelKind.parse(a.string("model", "cnn"))).apply(pixels).toFloatArray();
    }

    private void assertError(String expected, String... args) {
        CliRun r = lockstep(args);
        assertEquals(2, r.code(), "exit code for " + String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().startsWith("lockstep: error: ") && r.err().contains(expected),
                "expected '" + expected + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }
}
