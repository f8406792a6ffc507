package dev.lockstep.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.data.TensorDataset;
import dev.lockstep.models.SyntheticRegression;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.MSELoss;
import dev.lockstep.nn.Module;
import dev.lockstep.nn.ReLU;
import dev.lockstep.nn.Sequential;
import dev.lockstep.optim.Adam;
import dev.lockstep.parallel.DDPStrategy;
import dev.lockstep.parallel.DistributedDataParallel;
import dev.lockstep.parallel.dist.ProcessGroupOptions;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two DDP ranks (threads of this JVM, each with its own Gloo process group) where one example's
 * input is NaN: only the rank whose shard holds it sees a non-finite loss, yet both must skip
 * that step, or the other rank would apply the NaN averaged gradients and the replicas part.
 */
class NonFiniteUnderDdpTest {
    private static final int TRAIN = 200;
    private static final int EPOCHS = 3;

    private record Rank(TrainingResult result, float[][] params) {
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyRankSkipsTheStepThatIsNonFiniteOnOne() throws Exception {
        TensorDataset[] data = SyntheticRegression.generate(3, TRAIN, 40);
        float[] x = data[0].inputs().toFloatArray();
        x[17 * SyntheticRegression.FEATURES] = Float.NaN;
        TensorDataset train = new TensorDataset(Tensor.of(x, TRAIN, SyntheticRegression.FEATURES), data[0].targets());
        Module[] models = {model(), model()}; // made here: libtorch's default generator is global
        int port = ProcessGroupOptions.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Rank>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                ranks.add(pool.submit(() -> train(rank, port, models[rank], train, data[1])));
            }
            Rank first = ranks.get(0).get();
            Rank second = ranks.get(1).get();
            for (Rank rank : List.of(first, second)) {
                assertEquals(List.of(1L, 1L, 1L), rank.result().epochs().stream().map(EpochMetrics::skippedSteps).toList(),
                        "the NaN example is in one step of each epoch");
                for (float[] p : rank.params()) {
                    for (float v : p) {
                        assertTrue(Float.isFinite(v), "a rank applied non-finite gradients");
                    }
                }
            }
            for (int i = 0; i < first.params().length; i++) {
                assertArrayEquals(first.params()[i], second.params()[i], "parameter " + i + " differs between ranks");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Module model() {
        return new Sequential(new Linear(SyntheticRegression.FEATURES, 16), new ReLU(), new Linear(16, 1));
    }

    private static Rank train(int rank, int port, Module model, TensorDataset train, TensorDataset test) {
        var options = ProcessGroupOptions.of("127.0.0.1", port, rank, 2).withTimeout(Duration.ofSeconds(120));
        try (var ddp = new DDPStrategy(options, Device.CPU, DistributedDataParallel.Options.defaults())) {
            Trainer trainer = Trainer.builder().epochs(EPOCHS).batchSize(16).seed(5).logInterval(0).numWorkers(0)
                    .classification(false).skipNonFinite(true).log(line -> { }).strategy(ddp).build();
            TrainingResult result = trainer.fit(model, new MSELoss(), new Adam(model.parameters(), 1e-2), train, test);
            return new Rank(result, model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new));
        }
    }
}
