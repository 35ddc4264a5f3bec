package io.edgekd.core.classify;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxTest {
    @Test
    void handComputedValues() {
        float[] v = {1f, 2f, 3f};
        Softmax.inPlace(v, 0, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(Math.exp(1) / z, v[0], 1e-7);
        assertEquals(Math.exp(2) / z, v[1], 1e-7);
        assertEquals(Math.exp(3) / z, v[2], 1e-7);
    }

    @Test
    void stableForHugeLogits() {
        float[] v = {1000f, 1001f, -1000f};
        Softmax.inPlace(v, 0, 3);
        assertEquals(1 / (1 + Math.E), v[0], 1e-6);
        assertEquals(Math.E / (1 + Math.E), v[1], 1e-6);
        assertEquals(0f, v[2], 0f);
        float sum = v[0] + v[1] + v[2];
        assertEquals(1f, sum, 1e-6f);
    }

    @Test
    void temperatureSoftens() {
        float[] logits = {2f, 0f};
        float[] out = new float[2];
        Softmax.apply(logits, 0, out, 0, 2, 4f);
        assertEquals(1 / (1 + Math.exp(-0.5)), out[0], 1e-6);
        Softmax.apply(logits, 0, out, 0, 2, 1f);
        assertEquals(1 / (1 + Math.exp(-2)), out[0], 1e-6);
    }

    @Test
    void bufferVariantAgreesAndKeepsPosition() {
        FloatBuffer b = FloatBuffer.wrap(new float[] {9f, 0.5f, -2f, 3f, 9f});
        b.position(2);
        Softmax.inPlace(b, 1, 3);
        float[] a = {0.5f, -2f, 3f};
        Softmax.inPlace(a, 0, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(a[i], b.get(1 + i), 0f);
        }
        assertEquals(9f, b.get(0), 0f);
        assertEquals(9f, b.get(4), 0f);
        assertEquals(2, b.position());
    }

    @Test
    void argmaxTakesFirstOfEqualAndIgnoresNaN() {
        assertEquals(1, Softmax.argmax(new float[] {0f, 5f, 5f, 1f}, 0, 4));
        assertEquals(1, Softmax.argmax(new float[] {7f, 0f, 5f, 9f}, 1, 2));
        assertEquals(1, Softmax.argmax(new float[] {Float.NaN, 0.2f, 0.1f}, 0, 3));
        assertEquals(2, Softmax.argmax(FloatBuffer.wrap(new float[] {1f, 2f, 3f}), 0, 3));
        assertThrows(IllegalArgumentException.class, () -> Softmax.argmax(new float[1], 0, 0));
        assertTrue(Softmax.argmax(new float[] {-1f}, 0, 1) == 0);
    }

    /** All classes at -inf carry no preference: the limit of equal logits, a uniform distribution. */
    @Test
    void allNegativeInfinityIsUniform() {
        float ninf = Float.NEGATIVE_INFINITY;
        float[] v = {ninf, ninf, ninf, ninf};
        Softmax.inPlace(v, 0, 4);
        for (float p : v) {
            assertEquals(0.25f, p, 0f);
        }
        float[] out = new float[4];
        Softmax.apply(new float[] {ninf, ninf, ninf, ninf}, 0, out, 0, 4, 3f);
        assertEquals(0.25f, out[2], 0f);
        FloatBuffer b = FloatBuffer.wrap(new float[] {ninf, ninf});
        Softmax.inPlace(b, 0, 2);
        assertEquals(0.5f, b.get(0), 0f);
        assertEquals(0.5f, b.get(1), 0f);
        // Some -inf among finite logits: those classes get exactly 0.
        float[] mixed = {ninf, 0f, ninf, 0f};
        Softmax.inPlace(mixed, 0, 4);
        assertEquals(0f, mixed[0], 0f);
        assertEquals(0.5f, mixed[1], 0f);
    }

    /** +inf logits share all the probability equally, as the limit of growing logits does; the others get 0. */
    @Test
    void positiveInfinityTakesEverything() {
        float inf = Float.POSITIVE_INFINITY;
        float[] v = {1f, inf, -3f, inf};
        Softmax.inPlace(v, 0, 4);
        assertEquals(0f, v[0], 0f);
        assertEquals(0.5f, v[1], 0f);
        assertEquals(0f, v[2], 0f);
        assertEquals(0.5f, v[3], 0f);
        FloatBuffer b = FloatBuffer.wrap(new float[] {inf, 2f, Float.NEGATIVE_INFINITY});
        Softmax.inPlace(b, 0, 3);
        assertEquals(1f, b.get(0), 0f);
        assertEquals(0f, b.get(1), 0f);
    }

    /** A NaN logit means the model produced garbage: every output is NaN, so no class looks confidently right. */
    @Test
    void anyNaNMakesEveryProbabilityNaN() {
        for (int at = 0; at < 3; at++) {
            float[] v = {1f, 2f, 3f};
            v[at] = Float.NaN;
            Softmax.inPlace(v, 0, 3);
            for (float p : v) {
                assertTrue(Float.isNaN(p), java.util.Arrays.toString(v));
            }
            float[] w = {1f, 2f, 3f};
            w[at] = Float.NaN;
            FloatBuffer b = FloatBuffer.wrap(w);
            Softmax.inPlace(b, 0, 3);
            for (int i = 0; i < 3; i++) {
                assertTrue(Float.isNaN(b.get(i)));
            }
        }
        float[] v = {Float.NaN, Float.POSITIVE_INFINITY};
        Softmax.inPlace(v, 0, 2);
        assertTrue(Float.isNaN(v[0]) && Float.isNaN(v[1]));
    }
}
