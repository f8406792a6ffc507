package dev.lockstep.data.transforms;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;

/**
 * {@code transforms.ToTensor}: uint8 pixels 0..255 become float32 in [0, 1]. The division runs in
 * place on the converted copy: a whole dataset at a time, every fresh tensor is hundreds of MB
 * that the kernel maps page by page (BENCHMARKS.md, "Start-up").
 */
public final class ToTensor implements Transform {
    @Override
    public Tensor apply(Tensor images) {
        return images.dtype() == DType.FLOAT32 ? images.div(255.0) : images.to(DType.FLOAT32).divInPlace(255.0);
    }

    /** Then {@code next}, handed the new tensor this transform makes ({@link #applyInPlace}). */
    @Override
    public Transform andThen(Transform next) {
        return images -> next.applyInPlace(apply(images));
    }
}
