package io.edgekd.core.spec;

import java.util.Arrays;

/**
 * How 8-bit pixel values become model inputs: {@code x' = (x * scale - mean[c]) / std[c]} for channel
 * {@code c}, in the model's {@link PixelOrder}.
 *
 * <p>The same numbers drive training, the fused preprocessing in an exported graph and the edge runtime,
 * which is why they live in the model spec and not in any one of those places. So does the arithmetic:
 * every edgekd path computes the formula as one float multiply-add, {@link #normalize(float, int)}
 * ({@code x * multiplier(c) + offset(c)}, what the exported graph's {@code Mul}/{@code Add} compute too),
 * and the kernels {@link #toPlanar(byte[], int, int, float[], int)} turn interleaved 8-bit pixels into
 * normalised planar ({@code [C, H, W]}) floats with it. The runtime's
 * {@link io.edgekd.core.image.FramePreprocessor} and training batches give bit-identical values for the same
 * pixels. {@link #apply(int, int)} is the formula as written, for reference and tests; it can differ from the
 * multiply-add in the last bit.
 *
 * <p>Thread safety: immutable. The arrays passed in are copied, and accessors return copies or scalars.
 */
public final class Normalization {
    /** {@code 1/255}: maps 8-bit values to [0, 1]. */
    public static final float UNIT_SCALE = 1f / 255f;

    private final float scale;
    private final float[] mean;
    private final float[] std;
    private final float[] multiplier;
    private final float[] offset;

    private Normalization(float scale, float[] mean, float[] std) {
        this.scale = scale;
        this.mean = mean;
        this.std = std;
        this.multiplier = new float[mean.length];
        this.offset = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            multiplier[c] = scale / std[c];
            offset[c] = -mean[c] / std[c];
        }
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
        return multiplier[c];
    }

    /**
     * @param c channel index
     * @return {@code -mean[c] / std[c]}
     * @see #multiplier(int)
     */
    public float offset(int c) {
        return offset[c];
    }

    /**
     * The normalisation as every edgekd path computes it: one float multiply-add.
     *
     * @param value a pixel value on the 8-bit scale (0..255; interpolated values need not be whole)
     * @param c     channel index
     * @return {@code value * multiplier(c) + offset(c)}
     */
    public float normalize(float value, int c) {
        return value * multiplier[c] + offset[c];
    }

    /**
     * Normalises {@code pixels} interleaved 8-bit pixels ({@code channels()} bytes each, channel order as this
     * normalisation's) into planar floats: {@code planar[dstOffset + c * pixels + p] =
     * normalize(interleaved[srcOffset + p * channels() + c], c)}, that is one image {@code [C, H, W]} from
     * {@code [H, W, C]} bytes. Training batches use this; it computes what the runtime's preprocessor computes
     * for a frame already at the model's size.
     *
     * @param interleaved 8-bit pixels, {@code [H, W, C]}
     * @param srcOffset   index of the first pixel's first byte
     * @param pixels      pixels in the image ({@code H * W})
     * @param planar      destination, {@code [C, H, W]}
     * @param dstOffset   index of the first value written
     * @throws IllegalArgumentException if either array is too short for the image (checked before writing)
     */
    public void toPlanar(byte[] interleaved, int srcOffset, int pixels, float[] planar, int dstOffset) {
        int channels = mean.length;
        checkPlanar(interleaved.length, srcOffset, pixels, planar.length, dstOffset);
        for (int c = 0; c < channels; c++) {
            float m = multiplier[c];
            float a = offset[c];
            int out = dstOffset + c * pixels;
            int in = srcOffset + c;
            for (int p = 0; p < pixels; p++) {
                planar[out + p] = (interleaved[in + p * channels] & 0xFF) * m + a;
            }
        }
    }

    /**
     * As {@link #toPlanar(byte[], int, int, float[], int)}, taking each output channel from another position in
     * the source pixel: output channel {@code c} (normalised as channel {@code c}) reads source byte
     * {@code sourceChannel[c]} of each pixel, for pixels stored in another channel order than the model's
     * (RGB frames for a BGR model).
     *
     * @param interleaved   8-bit pixels, {@code channels()} bytes each
     * @param srcOffset     index of the first pixel's first byte
     * @param pixels        pixels in the image
     * @param sourceChannel for each output channel, the byte within a source pixel it comes from: a
     *                      permutation of {@code 0 .. channels()-1}
     * @param planar        destination, {@code [C, H, W]}
     * @param dstOffset     index of the first value written
     * @throws IllegalArgumentException if {@code sourceChannel} is not such a permutation or an array is too short
     */
    public void toPlanar(byte[] interleaved, int srcOffset, int pixels, int[] sourceChannel, float[] planar, int dstOffset) {
        int channels = mean.length;
        if (sourceChannel.length != channels) {
            throw new IllegalArgumentException("sourceChannel: expected " + channels + " entries, found " + sourceChannel.length);
        }
        int seen = 0;
        for (int c = 0; c < channels; c++) {
            int s = sourceChannel[c];
            if (s < 0 || s >= channels || (seen & (1 << s)) != 0) {
                throw new IllegalArgumentException("sourceChannel: expected a permutation of 0.." + (channels - 1) + ", found "
                        + Arrays.toString(sourceChannel));
            }
            seen |= 1 << s;
        }
        checkPlanar(interleaved.length, srcOffset, pixels, planar.length, dstOffset);
        for (int c = 0; c < channels; c++) {
            float m = multiplier[c];
            float a = offset[c];
            int out = dstOffset + c * pixels;
            int in = srcOffset + sourceChannel[c];
            for (int p = 0; p < pixels; p++) {
                planar[out + p] = (interleaved[in + p * channels] & 0xFF) * m + a;
            }
        }
    }

    private void checkPlanar(int srcLength, int srcOffset, int pixels, int dstLength, int dstOffset) {
        long values = (long) pixels * mean.length;
        if (pixels < 0 || srcOffset < 0 || srcOffset + values > srcLength) {
            throw new IllegalArgumentException("interleaved: expected " + values + " bytes (" + pixels + " pixels of " + mean.length
                    + " channel(s)) from index " + srcOffset + ", found length " + srcLength);
        }
        if (dstOffset < 0 || dstOffset + values > dstLength) {
            throw new IllegalArgumentException("planar: expected room for " + values + " values from index " + dstOffset
                    + ", found length " + dstLength);
        }
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
