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
}
