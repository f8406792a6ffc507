package dev.lockstep.data.transforms;

import dev.lockstep.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code transforms.RandomCrop(size, padding, fill)} with the crop as large as the image: each
 * image is padded by {@code padding} pixels of {@code fill} on every side and cropped back to its
 * size at a random offset, that is shifted by up to {@code padding} pixels each way. {@code fill}
 * is in the units the images have when the crop runs (after {@link Normalize}, black is
 * {@code -mean / std}).
 */
public record RandomCrop(int padding, double fill) implements RandomTransform {

    public RandomCrop {
        if (padding < 1) {
            throw new IllegalArgumentException("RandomCrop needs padding >= 1, got " + padding);
        }
        if (!Double.isFinite(fill)) {
            throw new IllegalArgumentException("RandomCrop needs a finite fill, got " + fill);
        }
    }

    /** Image i's offset is its draw's low half (rows) and high half (columns), each mod 2 * padding + 1. */
    @Override
    public Tensor apply(Tensor images, long[] draws) {
        long[] s = images.shape();
        if (s.length != 4 || s[0] != draws.length) {
            throw new IllegalArgumentException("RandomCrop expects images [N, C, H, W] and N draws, got shape "
                    + Arrays.toString(s) + " and " + draws.length + " draws");
        }
        int n = (int) s[0];
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        int paddedH = h + 2 * padding;
        int paddedW = w + 2 * padding;
        Tensor padded = Tensor.full(fill, images.dtype(), n, c, paddedH, paddedW).to(images.device());
        padded.narrow(2, padding, h).narrow(3, padding, w).copyFrom(images);
        // One gather of every output pixel from the flattened padded batch.
        long[] index = new long[Math.multiplyExact(Math.multiplyExact(n, c), h * w)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int dy = (int) ((draws[i] & 0xFFFFFFFFL) % (2L * padding + 1));
            int dx = (int) ((draws[i] >>> 32) % (2L * padding + 1));
            for (int ch = 0; ch < c; ch++) {
                long plane = (long) (i * c + ch) * paddedH * paddedW;
                for (int y = 0; y < h; y++) {
                    long row = plane + (long) (y + dy) * paddedW + dx;
                    for (int x = 0; x < w; x++) {
                        index[k++] = row + x;
                    }
                }
            }
        }
        Tensor flatIndex = Tensor.of(index, index.length).to(images.device());
        return padded.reshape(-1).indexSelect(0, flatIndex).reshape(n, c, h, w);
    }
}
