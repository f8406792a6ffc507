package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;

/** A transform over a batch of images [N, C, H, W], as torchvision's transforms per image. */
@FunctionalInterface
public interface Transform {

    Tensor apply(Tensor images);

    /**
     * As {@link #apply}, free to overwrite {@code images}: a transform that made a new tensor hands
     * it on this way, so that the next one need not make another. By default, {@link #apply}.
     */
    default Tensor applyInPlace(Tensor images) {
        return apply(images);
    }

    /** This transform, then {@code next} ({@code transforms.Compose}). */
    default Transform andThen(Transform next) {
        return x -> next.apply(apply(x));
    }

    /** The transforms in order ({@code transforms.Compose}); none gives the identity. */
    static Transform compose(Transform... transforms) {
        if (transforms.length == 0) {
            return x -> x;
        }
        Transform out = transforms[0]; // so that a transform's own andThen sees what follows it
        for (int i = 1; i < transforms.length; i++) {
            out = out.andThen(transforms[i]);
        }
        return out;
    }
}
