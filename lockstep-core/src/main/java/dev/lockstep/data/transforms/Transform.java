package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;

/** A transform over a batch of images [N, C, H, W], as torchvision's transforms per image. */
@FunctionalInterface
public interface Transform {

    Tensor apply(Tensor images);

    /** This transform, then {@code next} ({@code transforms.Compose}). */
    default Transform andThen(Transform next) {
        return x -> next.apply(apply(x));
    }

    static Transform compose(Transform... transforms) {
        Transform out = x -> x;
        for (Transform t : transforms) {
            out = out.andThen(t);
        }
        return out;
    }
}
