package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;

/**
 * {@code transforms.Normalize((mean,), (std,))} for single-channel images: (x - mean) / std, the
 * division in place on the subtraction's result (one new tensor, not two; the same values). After
 * {@link ToTensor} ({@code new ToTensor().andThen(normalize)}) it makes no new tensor at all.
 */
public record Normalize(double mean, double std) implements Transform {

    public Normalize {
        if (!(std > 0)) {
            throw new IllegalArgumentException("Normalize needs std > 0, got " + std);
        }
    }

    @Override
    public Tensor apply(Tensor images) {
        return images.sub(mean).divInPlace(std);
    }

    @Override
    public Tensor applyInPlace(Tensor images) {
        return images.subInPlace(mean).divInPlace(std);
    }
}
