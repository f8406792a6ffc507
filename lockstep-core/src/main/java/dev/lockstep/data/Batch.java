package dev.lockstep.data;

import dev.lockstep.tensor.Tensor;

/** One mini-batch: inputs stacked along dim 0 and their targets. */
public record Batch(Tensor input, Tensor target) {

    /** Number of examples in the batch. */
    public long size() {
        return input.size(0);
    }
}
