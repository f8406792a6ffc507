package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;

/**
 * A random transform over a batch of images [N, C, H, W], as torchvision's random transforms per
 * image. The randomness comes from the caller, one 64-bit draw per image, so that whoever draws
 * can make it reproducible ({@link dev.lockstep.data.Augmented} draws from the seed, epoch and
 * example).
 */
@FunctionalInterface
public interface RandomTransform {

    Tensor apply(Tensor images, long[] draws);
}
