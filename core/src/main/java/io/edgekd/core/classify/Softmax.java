package io.edgekd.core.classify;

import java.nio.FloatBuffer;

/**
 * Numerically stable softmax and argmax over a run of floats. The maximum is subtracted before
 * exponentiation, so logits of any magnitude give finite probabilities.
 *
 * <p>Non-finite logits, defined as the limits of growing finite ones: when every logit is {@code -inf} the
 * result is uniform ({@code 1/n} each: equal logits); {@code -inf} among finite logits gets exactly 0; when
 * some logits are {@code +inf} they share the probability equally and every other class gets 0. Any NaN
 * logit makes every output NaN: the scores are broken, and no class should look confidently right.
 *
 * <p>This is the one softmax of edgekd's Java code (the runtime applies it to logit outputs); training code
 * that needs softmax on plain arrays calls it too.
 *
 * <p>Thread safety: stateless. No method allocates.
 */
public final class Softmax {
    private Softmax() {
    }

    /**
     * Replaces {@code values[offset .. offset+length)} by their softmax.
     *
     * @param values logits
     * @param offset first index
     * @param length number of classes, at least 1
     */
    public static void inPlace(float[] values, int offset, int length) {
        apply(values, offset, values, offset, length, 1f);
    }

    /**
     * Writes {@code softmax(src / temperature)} into {@code dst}. {@code src} and {@code dst} may be the same
     * array at the same offset.
     *
     * @param src         logits
     * @param srcOffset   first logit
     * @param dst         destination
     * @param dstOffset   first output
     * @param length      number of classes, at least 1
     * @param temperature softening temperature {@code T > 0} (Hinton et al. 2015); 1 for plain softmax
     */
    public static void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int length, float temperature) {
        checkLength(length);
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, src[srcOffset + i]);
        }
        if (Float.isInfinite(max)) {
            infinite(src, srcOffset, dst, dstOffset, length, max);
            return;
        }
        float inv = 1f / temperature;
        double sum = 0;
        for (int i = 0; i < length; i++) {
            float e = (float) Math.exp((src[srcOffset + i] - max) * inv);
            dst[dstOffset + i] = e;
            sum += e;
        }
        float norm = (float) (1.0 / sum);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] *= norm;
        }
    }

    /**
     * Replaces {@code buffer[index .. index+length)} (absolute indices) by their softmax; the buffer's
     * position is not changed.
     *
     * @param buffer logits
     * @param index  first absolute index
     * @param length number of classes, at least 1
     */
    public static void inPlace(FloatBuffer buffer, int index, int length) {
        checkLength(length);
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, buffer.get(index + i));
        }
        if (Float.isInfinite(max)) {
            int ties = 0;
            for (int i = 0; i < length; i++) {
                ties += buffer.get(index + i) == max ? 1 : 0;
            }
            float share = 1f / ties;
            for (int i = 0; i < length; i++) {
                buffer.put(index + i, buffer.get(index + i) == max ? share : 0f);
            }
            return;
        }
        double sum = 0;
        for (int i = 0; i < length; i++) {
            float e = (float) Math.exp(buffer.get(index + i) - max);
            buffer.put(index + i, e);
            sum += e;
        }
        float norm = (float) (1.0 / sum);
        for (int i = 0; i < length; i++) {
            buffer.put(index + i, buffer.get(index + i) * norm);
        }
    }

    /**
     * The limit when the largest logit is infinite: the classes at {@code max} (all of them when it is
     * {@code -inf}) share the probability equally, the others get 0. {@code src} may be {@code dst}.
     */
    private static void infinite(float[] src, int srcOffset, float[] dst, int dstOffset, int length, float max) {
        int ties = 0;
        for (int i = 0; i < length; i++) {
            ties += src[srcOffset + i] == max ? 1 : 0;
        }
        float share = 1f / ties;
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = src[srcOffset + i] == max ? share : 0f;
        }
    }

    /**
     * @param values scores
     * @param offset first index
     * @param length number of classes, at least 1
     * @return the index, relative to {@code offset}, of the largest value (the first of equal ones); NaN
     *         values never win
     */
    public static int argmax(float[] values, int offset, int length) {
        checkLength(length);
        int best = 0;
        float bestValue = values[offset];
        for (int i = 1; i < length; i++) {
            float v = values[offset + i];
            if (v > bestValue || (Float.isNaN(bestValue) && !Float.isNaN(v))) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /**
     * @param buffer scores
     * @param index  first absolute index
     * @param length number of classes, at least 1
     * @return the index, relative to {@code index}, of the largest value (the first of equal ones)
     */
    public static int argmax(FloatBuffer buffer, int index, int length) {
        checkLength(length);
        int best = 0;
        float bestValue = buffer.get(index);
        for (int i = 1; i < length; i++) {
            float v = buffer.get(index + i);
            if (v > bestValue || (Float.isNaN(bestValue) && !Float.isNaN(v))) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    private static void checkLength(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length: expected at least 1 class, found " + length);
        }
    }
}
