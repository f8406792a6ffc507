package dev.lockstep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.TensorDataset;
import dev.lockstep.models.TwoLayerNet;
import dev.lockstep.nn.CrossEntropyLoss;
import dev.lockstep.optim.SGD;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The batches evaluation asks the test set for: the training batch unless set. */
class EvalBatchTest {

    @Test
    void evaluationUsesTheTrainingBatchByDefault() {
        assertEquals(List.of(4, 4, 2), evalBatches(b -> b));
    }

    @Test
    void anExplicitEvalBatchWins() {
        assertEquals(List.of(7, 3), evalBatches(b -> b.evalBatchSize(7)));
    }

    /** Trains one epoch of batch 4 on 8 examples and returns the batch sizes of evaluating 10. */
    private static List<Integer> evalBatches(UnaryOperator<Trainer.Builder> options) {
        Torch.manualSeed(0);
        var model = new TwoLayerNet(6, 4, 3);
        var test = new Recording(new TensorDataset(Tensor.rand(DType.FLOAT32, 10, 6), Tensor.zeros(DType.INT64, 10)));
        var train = new TensorDataset(Tensor.rand(DType.FLOAT32, 8, 6), Tensor.zeros(DType.INT64, 8));
        options.apply(Trainer.builder().batchSize(4).logInterval(0).numWorkers(0).log(s -> { })).build()
                .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1), train, test);
        return test.sizes;
    }

    private static final class Recording implements Dataset {
        private final Dataset dataset;
        private final List<Integer> sizes = new ArrayList<>();

        Recording(Dataset dataset) {
            this.dataset = dataset;
        }

        @Override
        public long size() {
            return dataset.size();
        }

        @Override
        public Batch get(long[] indices) {
            sizes.add(indices.length);
            return dataset.get(indices);
        }
    }
}
