package dev.lockstep.data;

import dev.lockstep.tensor.Tensor;
import java.util.Arrays;

/** {@code TensorDataset}: example i is row i of the inputs and of the targets. */
public class TensorDataset implements Dataset {
    private final Tensor inputs;
    private final Tensor targets;

    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("inputs have " + inputs.size(0) + " rows but targets have "
                    + targets.size(0) + " (shapes " + Arrays.toString(inputs.shape()) + ", "
                    + Arrays.toString(targets.shape()) + ")");
        }
        this.inputs = inputs.keep();
        this.targets = targets.keep();
    }

    @Override
    public long size() {
        return inputs.size(0);
    }

    @Override
    public Batch get(long[] indices) {
        Tensor idx = Tensor.of(indices, indices.length);
        return new Batch(inputs.indexSelect(0, idx), targets.indexSelect(0, idx));
    }

    public Tensor inputs() {
        return inputs;
    }

    public Tensor targets() {
        return targets;
    }
}
