package io.edgekd.core.spec;

import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one normalisation kernel: the multiply-add, the planar kernels, and agreement with the runtime's preprocessor. */
class NormalizationTest {
    private static final Normalization RGB = Normalization.of(1f / 255f, new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});

    @Test
    void normalizeIsTheFoldedMultiplyAddWithinRoundingOfTheFormula() {
        for (int c = 0; c < 3; c++) {
            for (int raw = 0; raw < 256; raw++) {
                float expected = raw * RGB.multiplier(c) + RGB.offset(c);
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(RGB.normalize(raw, c)), "raw " + raw);
                assertEquals(RGB.apply(raw, c), RGB.normalize(raw, c), 1e-5f);
            }
        }
        assertEquals(RGB.normalize(100f, 1) + (RGB.normalize(101f, 1) - RGB.normalize(100f, 1)) / 2, RGB.normalize(100.5f, 1), 1e-6f);
    }

    /** For a frame already at the model's size, the kernel gives the runtime preprocessor's values bit for bit. */
    @Test
    void toPlanarEqualsTheRuntimePreprocessorAtModelSize() {
        SplittableRandom r = new SplittableRandom(3);
        int w = 11;
        int h = 7;
        byte[] frame = new byte[3 + w * h * 3];
        r.nextBytes(frame);

        FramePreprocessor rgb = new FramePreprocessor(3, h, w, PixelOrder.RGB, RGB, ResizeMode.STRETCH);
        FloatBuffer viaRuntime = FloatBuffer.allocate(rgb.outputSize());
        rgb.toFloatNchw(frame, 3, w, h, w * 3, PixelFormat.RGB24, viaRuntime, 0);
        float[] viaKernel = new float[2 + rgb.outputSize()];
        RGB.toPlanar(frame, 3, w * h, viaKernel, 2);
        assertArrayEquals(viaRuntime.array(), java.util.Arrays.copyOfRange(viaKernel, 2, viaKernel.length), 0f);

        // An RGB frame for a BGR model: output channel c reads source byte sourceChannel[c].
        FramePreprocessor bgr = new FramePreprocessor(3, h, w, PixelOrder.BGR, RGB, ResizeMode.STRETCH);
        FloatBuffer bgrRuntime = FloatBuffer.allocate(bgr.outputSize());
        bgr.toFloatNchw(frame, 3, w, h, w * 3, PixelFormat.RGB24, bgrRuntime, 0);
        float[] bgrKernel = new float[bgr.outputSize()];
        RGB.toPlanar(frame, 3, w * h, new int[] {2, 1, 0}, bgrKernel, 0);
        assertArrayEquals(bgrRuntime.array(), bgrKernel, 0f);

        Normalization gray = Normalization.of(1f / 255f, new float[] {0.286f}, new float[] {0.353f});
        FramePreprocessor g = new FramePreprocessor(1, h, w, PixelOrder.GRAY, gray, ResizeMode.STRETCH);
        FloatBuffer grayRuntime = FloatBuffer.allocate(g.outputSize());
        g.toFloatNchw(frame, 0, w, h, w, PixelFormat.GRAY8, grayRuntime, 0);
        float[] grayKernel = new float[g.outputSize()];
        gray.toPlanar(frame, 0, w * h, grayKernel, 0);
        assertArrayEquals(grayRuntime.array(), grayKernel, 0f);
    }

    @Test
    void badArgumentsAreRefusedBeforeWriting() {
        float[] dst = new float[12];
        IllegalArgumentException shortSource = assertThrows(IllegalArgumentException.class,
                () -> RGB.toPlanar(new byte[11], 0, 4, dst, 0));
        assertTrue(shortSource.getMessage().contains("expected 12 bytes") && shortSource.getMessage().contains("found length 11"),
                shortSource.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RGB.toPlanar(new byte[12], 0, 4, new float[12], 1));
        assertThrows(IllegalArgumentException.class, () -> RGB.toPlanar(new byte[12], -1, 4, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> RGB.toPlanar(new byte[12], 0, Integer.MAX_VALUE, dst, 0));
        IllegalArgumentException notPermutation = assertThrows(IllegalArgumentException.class,
                () -> RGB.toPlanar(new byte[12], 0, 4, new int[] {0, 0, 1}, dst, 0));
        assertTrue(notPermutation.getMessage().contains("[0, 0, 1]"), notPermutation.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RGB.toPlanar(new byte[12], 0, 4, new int[] {0, 1}, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> RGB.toPlanar(new byte[12], 0, 4, new int[] {0, 1, 3}, dst, 0));
        for (float v : dst) {
            assertEquals(0f, v, 0f);
        }
    }
}
