package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;

/** {@code transforms.Normalize((mean,), (std,))} for single-channel images: (x - mean) / std. */
public record Normalize(double mean, double std) implements Transform {

    public Normalize {
        if (!(std > 0)) {
            throw new IllegalArgumentException("Normalize needs std > 0, got " + std);
        }
    }

    @Override
    public Tensor apply(Tensor images) {
        return images.sub(mean).div(std);
    }
}
