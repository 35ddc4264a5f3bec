package io.edgekd.core.image;

import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.ResizeMode;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramePreprocessorTest {
    /** Largest difference allowed between the fast path and the double-precision reference, in normalised units. */
    private static final double FLOAT_TOLERANCE = 1e-4;

    private static final Normalization COLOUR_NORM =
            Normalization.of(1f / 255f, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    private static final Normalization GRAY_NORM = Normalization.of(1f / 255f, new float[] {0.2860f}, new float[] {0.3530f});

    /**
     * The behaviour written out plainly: per output value, compute the sampling coordinate, read the four
     * neighbours in the model's channel, interpolate, normalise. Doubles throughout.
     */
    static double[] reference(byte[] src, int offset, int w, int h, int stride, PixelFormat f, int outC, int outH, int outW,
                              PixelOrder order, Normalization n, ResizeMode mode, boolean normalise) {
        int cropX = 0;
        int cropY = 0;
        int cropW = w;
        int cropH = h;
        if (mode == ResizeMode.CENTER_CROP) {
            double srcAspect = (double) w / h;
            double dstAspect = (double) outW / outH;
            if (srcAspect > dstAspect + 1e-12) {
                cropW = (int) Math.round((double) h * outW / outH);
                cropX = (w - cropW) / 2;
            } else if (srcAspect < dstAspect - 1e-12) {
                cropH = (int) Math.round((double) w * outH / outW);
                cropY = (h - cropH) / 2;
            }
        }
        double[] out = new double[outC * outH * outW];
        for (int c = 0; c < outC; c++) {
            for (int y = 0; y < outH; y++) {
                double sy = clamp(cropY + (y + 0.5) * cropH / outH - 0.5, cropY, cropY + cropH - 1);
                int y0 = (int) Math.floor(sy);
                int y1 = Math.min(y0 + 1, cropY + cropH - 1);
                double fy = sy - y0;
                for (int x = 0; x < outW; x++) {
                    double sx = clamp(cropX + (x + 0.5) * cropW / outW - 0.5, cropX, cropX + cropW - 1);
                    int x0 = (int) Math.floor(sx);
                    int x1 = Math.min(x0 + 1, cropX + cropW - 1);
                    double fx = sx - x0;
                    double v = (1 - fy) * ((1 - fx) * value(src, offset, stride, f, x0, y0, c, order)
                            + fx * value(src, offset, stride, f, x1, y0, c, order))
                            + fy * ((1 - fx) * value(src, offset, stride, f, x0, y1, c, order)
                            + fx * value(src, offset, stride, f, x1, y1, c, order));
                    out[(c * outH + y) * outW + x] = normalise ? (v * n.scale() - n.mean(c)) / n.std(c) : v;
                }
            }
        }
        return out;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** The source pixel's value in model channel {@code c}. */
    private static double value(byte[] src, int offset, int stride, PixelFormat f, int x, int y, int c, PixelOrder order) {
        int p = offset + y * stride + x * f.bytesPerPixel();
        if (f == PixelFormat.GRAY8) {
            return src[p] & 0xFF;
        }
        double r = src[p + f.redOffset()] & 0xFF;
        double g = src[p + f.greenOffset()] & 0xFF;
        double b = src[p + f.blueOffset()] & 0xFF;
        return switch (order) {
            case GRAY -> 0.299 * r + 0.587 * g + 0.114 * b;
            case RGB -> c == 0 ? r : c == 1 ? g : b;
            case BGR -> c == 0 ? b : c == 1 ? g : r;
        };
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Test
    void matchesReferenceOnRandomFrames() {
        SplittableRandom random = new SplittableRandom(1234);
        int cases = 0;
        double worst = 0;
        for (PixelFormat f : PixelFormat.values()) {
            for (PixelOrder order : PixelOrder.values()) {
                for (ResizeMode mode : ResizeMode.values()) {
                    for (int k = 0; k < 4; k++) {
                        int w = 1 + random.nextInt(90);
                        int h = 1 + random.nextInt(90);
                        int pad = random.nextInt(3) * 7;
                        int stride = w * f.bytesPerPixel() + pad;
                        int offset = random.nextInt(5);
                        byte[] src = new byte[offset + stride * h];
                        random.nextBytes(src);
                        int outC = order.channels();
                        int outH = 1 + random.nextInt(40);
                        int outW = 1 + random.nextInt(40);
                        Normalization n = outC == 1 ? GRAY_NORM : COLOUR_NORM;
                        FramePreprocessor pre = new FramePreprocessor(outC, outH, outW, order, n, mode);
                        double[] expected = reference(src, offset, w, h, stride, f, outC, outH, outW, order, n, mode, true);

                        int dstIndex = random.nextInt(3);
                        FloatBuffer dst = direct(dstIndex + pre.outputSize() + 2);
                        pre.toFloatNchw(src, offset, w, h, stride, f, dst, dstIndex);
                        FloatBuffer viaBuffer = FloatBuffer.allocate(dstIndex + pre.outputSize());
                        ByteBuffer srcBuffer = ByteBuffer.allocateDirect(src.length);
                        srcBuffer.put(src).position(3);
                        pre.toFloatNchw(srcBuffer, offset, w, h, stride, f, viaBuffer, dstIndex);
                        for (int i = 0; i < expected.length; i++) {
                            double d1 = Math.abs(dst.get(dstIndex + i) - expected[i]);
                            double d2 = Math.abs(viaBuffer.get(dstIndex + i) - expected[i]);
                            worst = Math.max(worst, Math.max(d1, d2));
                        }
                        assertEquals(0, dst.position(), "position must not move");
                        assertEquals(3, srcBuffer.position(), "source position must not move");
                        cases++;
                    }
                }
            }
        }
        assertTrue(worst <= FLOAT_TOLERANCE, "max abs error " + worst + " over " + cases + " frames");
    }

    @Test
    void uint8OutputMatchesReferenceWithinRounding() {
        SplittableRandom random = new SplittableRandom(99);
        for (PixelFormat f : PixelFormat.values()) {
            for (PixelOrder order : PixelOrder.values()) {
                int w = 5 + random.nextInt(60);
                int h = 5 + random.nextInt(60);
                byte[] src = new byte[w * h * f.bytesPerPixel()];
                random.nextBytes(src);
                int outC = order.channels();
                FramePreprocessor pre = new FramePreprocessor(outC, 17, 23, order, Normalization.unit(outC), ResizeMode.STRETCH);
                double[] expected = reference(src, 0, w, h, w * f.bytesPerPixel(), f, outC, 17, 23, order, null, ResizeMode.STRETCH, false);
                byte[] out = new byte[pre.outputSize()];
                pre.toUint8Nhwc(src, 0, w, h, w * f.bytesPerPixel(), f, out, 0);
                ByteBuffer outBuffer = ByteBuffer.allocateDirect(pre.outputSize() + 4);
                pre.toUint8Nhwc(ByteBuffer.wrap(src), 0, w, h, w * f.bytesPerPixel(), f, outBuffer, 4);
                for (int c = 0; c < outC; c++) {
                    for (int y = 0; y < 17; y++) {
                        for (int x = 0; x < 23; x++) {
                            double e = expected[(c * 17 + y) * 23 + x];
                            int nhwc = (y * 23 + x) * outC + c;
                            // Float rounding can land a value like 127.4999 on either side of .5: one level.
                            assertTrue(Math.abs((out[nhwc] & 0xFF) - e) <= 0.5 + 1e-3, f + " " + order + " " + (out[nhwc] & 0xFF) + " vs " + e);
                            assertEquals(out[nhwc], outBuffer.get(4 + nhwc));
                        }
                    }
                }
            }
        }
    }

    @Test
    void handComputedResampling() {
        FramePreprocessor down = new FramePreprocessor(1, 1, 1, PixelOrder.GRAY, Normalization.unit(1), ResizeMode.STRETCH);
        byte[] out = new byte[1];
        down.toUint8Nhwc(new byte[] {10, 20, 30, 40}, 0, 2, 2, 2, PixelFormat.GRAY8, out, 0);
        assertEquals(25, out[0]);

        FramePreprocessor half = new FramePreprocessor(1, 1, 2, PixelOrder.GRAY, Normalization.unit(1), ResizeMode.STRETCH);
        byte[] two = new byte[2];
        half.toUint8Nhwc(new byte[] {0, 100, (byte) 200, 50}, 0, 4, 1, 4, PixelFormat.GRAY8, two, 0);
        assertArrayEquals(new byte[] {50, 125}, two);

        FramePreprocessor up = new FramePreprocessor(1, 1, 4, PixelOrder.GRAY, Normalization.unit(1), ResizeMode.STRETCH);
        byte[] four = new byte[4];
        up.toUint8Nhwc(new byte[] {0, 100}, 0, 2, 1, 2, PixelFormat.GRAY8, four, 0);
        assertArrayEquals(new byte[] {0, 25, 75, 100}, four);

        // Centre crop of a 6x2 frame to a square model keeps columns 2 and 3.
        FramePreprocessor crop = new FramePreprocessor(1, 2, 2, PixelOrder.GRAY, Normalization.unit(1), ResizeMode.CENTER_CROP);
        byte[] frame = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
        byte[] square = new byte[4];
        crop.toUint8Nhwc(frame, 0, 6, 2, 6, PixelFormat.GRAY8, square, 0);
        assertArrayEquals(new byte[] {2, 3, 12, 13}, square);
    }

    @Test
    void channelConversionAndNormalisation() {
        byte[] rgb = {10, 20, 30};
        byte[] bgra = {30, 20, 10, (byte) 255};
        FramePreprocessor toBgr = new FramePreprocessor(3, 1, 1, PixelOrder.BGR, Normalization.unit(3), ResizeMode.STRETCH);
        byte[] out = new byte[3];
        toBgr.toUint8Nhwc(rgb, 0, 1, 1, 3, PixelFormat.RGB24, out, 0);
        assertArrayEquals(new byte[] {30, 20, 10}, out);
        toBgr.toUint8Nhwc(bgra, 0, 1, 1, 4, PixelFormat.BGRA32, out, 0);
        assertArrayEquals(new byte[] {30, 20, 10}, out);

        FramePreprocessor toGray = new FramePreprocessor(1, 1, 1, PixelOrder.GRAY, GRAY_NORM, ResizeMode.STRETCH);
        FloatBuffer g = FloatBuffer.allocate(1);
        toGray.toFloatNchw(rgb, 0, 1, 1, 3, PixelFormat.RGB24, g, 0);
        double luma = 0.299 * 10 + 0.587 * 20 + 0.114 * 30;
        assertEquals((luma / 255 - 0.2860) / 0.3530, g.get(0), 1e-5);

        FramePreprocessor grayToRgb = new FramePreprocessor(3, 1, 1, PixelOrder.RGB, COLOUR_NORM, ResizeMode.STRETCH);
        FloatBuffer c = FloatBuffer.allocate(3);
        grayToRgb.toFloatNchw(new byte[] {(byte) 128}, 0, 1, 1, 1, PixelFormat.GRAY8, c, 0);
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(COLOUR_NORM.apply(128, ch), c.get(ch), 1e-5);
        }
    }

    @Test
    void rejectsInconsistentFramesWithClearMessages() {
        FramePreprocessor pre = new FramePreprocessor(3, 8, 8, PixelOrder.RGB, COLOUR_NORM, ResizeMode.STRETCH);
        FloatBuffer dst = direct(pre.outputSize());
        IllegalArgumentException shortFrame = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(new byte[100], 0, 10, 10, 30, PixelFormat.RGB24, dst, 0));
        assertTrue(shortFrame.getMessage().contains("expected at least 300 bytes") && shortFrame.getMessage().contains("found 100"),
                shortFrame.getMessage());
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(new byte[300], 0, 10, 10, 20, PixelFormat.RGB24, dst, 0));
        assertTrue(stride.getMessage().contains("expected at least 30 bytes"), stride.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pre.toFloatNchw(new byte[300], 0, 0, 10, 30, PixelFormat.RGB24, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> pre.toFloatNchw(new byte[300], -1, 10, 10, 30, PixelFormat.RGB24, dst, 0));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(new byte[300], 0, 10, 10, 30, PixelFormat.RGB24, direct(10), 0));
        assertTrue(small.getMessage().contains("found limit 10"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pre.toFloatNchw(new byte[300], 0, 10, 10, 30, PixelFormat.RGB24, dst, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new FramePreprocessor(3, 8, 8, PixelOrder.GRAY, COLOUR_NORM, ResizeMode.STRETCH));
        assertThrows(IllegalArgumentException.class,
                () -> new FramePreprocessor(1, 8, 8, PixelOrder.GRAY, COLOUR_NORM, ResizeMode.STRETCH));
    }

    /**
     * Absolute puts stop at a buffer's limit, not its capacity: a destination with room in its capacity but not
     * below its limit is refused before anything is written.
     */
    @Test
    void destinationLimitIsCheckedBeforeAnythingIsWritten() {
        FramePreprocessor pre = new FramePreprocessor(3, 8, 8, PixelOrder.RGB, COLOUR_NORM, ResizeMode.STRETCH);
        byte[] frame = new byte[300];
        java.util.Arrays.fill(frame, (byte) 200);
        FloatBuffer floats = direct(pre.outputSize());
        floats.limit(pre.outputSize() - 1);
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, 0, 10, 10, 30, PixelFormat.RGB24, floats, 0));
        assertTrue(f.getMessage().contains("found limit " + (pre.outputSize() - 1)), f.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(ByteBuffer.wrap(frame), 0, 10, 10, 30, PixelFormat.RGB24, floats, 0));
        for (int i = 0; i < floats.limit(); i++) {
            assertEquals(0f, floats.get(i), 0f, "value " + i + " was written");
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(pre.outputSize() + 5);
        bytes.limit(pre.outputSize() + 4);
        assertThrows(IllegalArgumentException.class, () -> pre.toUint8Nhwc(frame, 0, 10, 10, 30, PixelFormat.RGB24, bytes, 5));
        assertThrows(IllegalArgumentException.class,
                () -> pre.toUint8Nhwc(ByteBuffer.wrap(frame), 0, 10, 10, 30, PixelFormat.RGB24, bytes, 5));
        for (int i = 0; i < bytes.limit(); i++) {
            assertEquals(0, bytes.get(i), "byte " + i + " was written");
        }
        assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, 0, 10, 10, 30, PixelFormat.RGB24, direct(pre.outputSize()).asReadOnlyBuffer(), 0));
    }

    /** Sizes whose byte counts do not fit an int are refused up front, not wrapped round into small numbers. */
    @Test
    void absurdSizesAreRejectedUpFront() {
        FramePreprocessor pre = new FramePreprocessor(3, 8, 8, PixelOrder.RGB, COLOUR_NORM, ResizeMode.STRETCH);
        FloatBuffer dst = direct(pre.outputSize());
        byte[] frame = new byte[300];
        // 2^30 pixels of 4 bytes: the row's byte count wraps to 0 in int arithmetic.
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, 0, 1 << 30, 1, 0, PixelFormat.RGBA32, dst, 0));
        assertTrue(wide.getMessage().contains("1073741824"), wide.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> pre.toUint8Nhwc(ByteBuffer.wrap(frame), 0, 1 << 30, 1, 0, PixelFormat.RGBA32, ByteBuffer.allocate(300), 0));
        // Stride times height past 2^31: no buffer can hold it.
        IllegalArgumentException tall = assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, 0, 10, 1 << 28, 30, PixelFormat.RGB24, dst, 0));
        assertTrue(tall.getMessage().contains("found 300"), tall.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, Integer.MAX_VALUE - 10, 10, 1, 30, PixelFormat.RGB24, dst, 0));
        assertThrows(IllegalArgumentException.class,
                () -> pre.toFloatNchw(frame, 0, 10, 10, 30, PixelFormat.RGB24, dst, Integer.MAX_VALUE - 5));
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> new FramePreprocessor(3, 1 << 16, 1 << 15, PixelOrder.RGB, COLOUR_NORM, ResizeMode.STRETCH));
        assertTrue(model.getMessage().contains("3x65536x32768"), model.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PixelFormat.RGBA32.rowBytes(1 << 30));
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FramePreprocessor pre = new FramePreprocessor(3, 32, 32, PixelOrder.RGB, COLOUR_NORM, ResizeMode.CENTER_CROP);
        byte[] frame = new byte[64 * 48 * 3];
        ByteBuffer frameBuffer = ByteBuffer.allocateDirect(frame.length);
        FloatBuffer dst = direct(pre.outputSize());
        ByteBuffer bytes = ByteBuffer.allocateDirect(pre.outputSize());
        for (int i = 0; i < 200; i++) {
            pre.toFloatNchw(frame, 0, 64, 48, 64 * 3, PixelFormat.BGR24, dst, 0);
            pre.toUint8Nhwc(frameBuffer, 0, 64, 48, 64 * 3, PixelFormat.RGB24, bytes, 0);
        }
        long tid = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1000; i++) {
            pre.toFloatNchw(frame, 0, 64, 48, 64 * 3, PixelFormat.BGR24, dst, 0);
            pre.toUint8Nhwc(frameBuffer, 0, 64, 48, 64 * 3, PixelFormat.RGB24, bytes, 0);
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        // The measurement itself may allocate a few bytes; 2,000 calls must not add to it.
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 2,000 calls");
    }
}
