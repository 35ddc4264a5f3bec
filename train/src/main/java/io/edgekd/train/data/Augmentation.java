package io.edgekd.train.data;

import java.util.SplittableRandom;

/**
 * Seeded training-time augmentation of 8-bit HWC images: a horizontal flip with probability one half and a
 * translation of up to {@code maxShift} pixels in each direction (uncovered pixels repeat the edge).
 *
 * <p>Each example's transform depends only on the seed, the epoch and the example's position, so a run is
 * reproducible and a resumed run sees the same images as an uninterrupted one.
 *
 * @param flip     whether to flip horizontally (half the time)
 * @param maxShift largest translation in pixels, 0 for none
 */
public record Augmentation(boolean flip, int maxShift) {
    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(false, 0);

    /** Validates. */
    public Augmentation {
        if (maxShift < 0) {
            throw new IllegalArgumentException("maxShift: expected >= 0, found " + maxShift);
        }
    }

    /** @return whether this changes anything */
    public boolean enabled() {
        return flip || maxShift > 0;
    }

    /**
     * @param src      packed HWC image
     * @param dst      destination of the same size (not {@code src})
     * @param width    image width
     * @param height   image height
     * @param channels channels
     * @param random   the example's random stream
     */
    public void apply(byte[] src, byte[] dst, int width, int height, int channels, SplittableRandom random) {
        boolean f = flip && random.nextBoolean();
        int dx = maxShift > 0 ? random.nextInt(2 * maxShift + 1) - maxShift : 0;
        int dy = maxShift > 0 ? random.nextInt(2 * maxShift + 1) - maxShift : 0;
        for (int y = 0; y < height; y++) {
            int sy = Math.min(height - 1, Math.max(0, y - dy));
            for (int x = 0; x < width; x++) {
                int xx = f ? width - 1 - x : x;
                int sx = Math.min(width - 1, Math.max(0, xx - dx));
                System.arraycopy(src, (sy * width + sx) * channels, dst, (y * width + x) * channels, channels);
            }
        }
    }

    /**
     * @param seed     run seed
     * @param epoch    epoch
     * @param position example position in the training set
     * @return the example's random stream
     */
    public static SplittableRandom random(long seed, int epoch, int position) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ (epoch * 0xC2B2AE3D27D4EB4FL + position * 0x165667B19E3779F9L));
    }
}
