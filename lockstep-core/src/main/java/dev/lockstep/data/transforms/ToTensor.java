package dev.lockstep.data.transforms;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;

/** {@code transforms.ToTensor}: uint8 pixels 0..255 become float32 in [0, 1]. */
public final class ToTensor implements Transform {
    @Override
    public Tensor apply(Tensor images) {
        return images.to(DType.FLOAT32).div(255.0);
    }
}
