package io.edgekd.core.spec;

import java.util.Arrays;

/**
 * How 8-bit pixel values become model inputs: {@code x' = (x * scale - mean[c]) / std[c]} for channel
 * {@code c}, in the model's {@link PixelOrder}.
 *
 * <p>The same numbers drive training, the fused preprocessing in an exported graph and the edge runtime,
 * which is why they live in the model spec and not in any one of those places.
 *
 * <p>Thread safety: immutable. The arrays passed in are copied, and accessors return copies or scalars.
 */
public final class Normalization {
    /** {@code 1/255}: maps 8-bit values to [0, 1]. */
    public static final float UNIT_SCALE = 1f / 255f;

    private final float scale;
    private final float[] mean;
    private final float[] std;

    private Normalization(float scale, float[] mean, float[] std) {
        this.scale = scale;
        this.mean = mean;
        this.std = std;
    }

    /**
     * @param scale multiplier applied to the raw 8-bit value first, finite and non-zero
     * @param mean  per-channel mean, subtracted after scaling; one value per channel
     * @param std   per-channel standard deviation, divided by last; positive
     * @return the normalisation
     * @throws IllegalArgumentException if the arrays differ in length, are empty, or hold non-finite values
     *                                  or a non-positive std
     */
    public static Normalization of(float scale, float[] mean, float[] std) {
        if (!Float.isFinite(scale) || scale == 0f) {
            throw new IllegalArgumentException("scale: expected a finite non-zero value, found " + scale);
        }
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std: expected the same non-zero length, found "
                    + mean.length + " and " + std.length);
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "]: expected a finite value, found " + mean[c]);
            }
            if (!(std[c] > 0f) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std[" + c + "]: expected a finite value > 0, found " + std[c]);
            }
        }
        return new Normalization(scale, mean.clone(), std.clone());
    }

    /**
     * @param channels number of channels
     * @return {@code x/255} with mean 0 and std 1 on every channel
     */
    public static Normalization unit(int channels) {
        float[] zero = new float[channels];
        float[] one = new float[channels];
        Arrays.fill(one, 1f);
        return of(UNIT_SCALE, zero, one);
    }

    /**
     * @param channels number of channels
     * @param mean     the mean of every channel (after scaling by 1/255)
     * @param std      the standard deviation of every channel (after scaling by 1/255)
     * @return {@code (x/255 - mean)/std} with the same mean and std on every channel
     */
    public static Normalization uniform(int channels, float mean, float std) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(m, mean);
        Arrays.fill(s, std);
        return of(UNIT_SCALE, m, s);
    }

    /** @return the multiplier applied to the raw value before the mean is subtracted */
    public float scale() {
        return scale;
    }

    /** @return the number of channels */
    public int channels() {
        return mean.length;
    }

    /** @param c channel index @return the mean of channel {@code c} */
    public float mean(int c) {
        return mean[c];
    }

    /** @param c channel index @return the standard deviation of channel {@code c} */
    public float std(int c) {
        return std[c];
    }

    /** @return a copy of the per-channel means */
    public float[] means() {
        return mean.clone();
    }

    /** @return a copy of the per-channel standard deviations */
    public float[] stds() {
        return std.clone();
    }

    /**
     * The normalisation folded into one multiply-add, {@code x' = x * multiplier(c) + offset(c)}.
     *
     * @param c channel index
     * @return {@code scale / std[c]}
     */
    public float multiplier(int c) {
        return scale / std[c];
    }

    /**
     * @param c channel index
     * @return {@code -mean[c] / std[c]}
     * @see #multiplier(int)
     */
    public float offset(int c) {
        return -mean[c] / std[c];
    }

    /**
     * @param raw an 8-bit value, 0..255
     * @param c   channel index
     * @return the normalised value, computed as the formula in the class comment says (reference form)
     */
    public float apply(int raw, int c) {
        return (raw * scale - mean[c]) / std[c];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n
                && Float.compare(scale, n.scale) == 0
                && Arrays.equals(mean, n.mean)
                && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Float.hashCode(scale) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[scale=" + scale + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
