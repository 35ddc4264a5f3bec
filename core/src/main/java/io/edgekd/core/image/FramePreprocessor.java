package io.edgekd.core.image;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.ResizeMode;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Turns packed 8-bit frames of any size into a model's input: bilinear resize (optionally of a centred crop
 * with the model's aspect ratio), channel conversion to the model's {@link PixelOrder}, and either
 * normalisation into float NCHW ({@link Normalization#normalize(float, int)}, the one multiply-add every edgekd
 * path uses) or plain uint8 NHWC for models with fused preprocessing.
 *
 * <p>Resampling uses pixel centres (a destination pixel {@code d} samples source coordinate
 * {@code (d + 0.5) * src / dst - 0.5}, clamped to the frame), as OpenCV's {@code INTER_LINEAR} and ONNX
 * {@code Resize} with {@code half_pixel} do. Colour to gray uses ITU-R BT.601 luma,
 * {@code 0.299 R + 0.587 G + 0.114 B}; gray to colour replicates the value. Bilinear sampling reads four
 * source pixels per output pixel, so a large reduction (say 1920 to 32 pixels) aliases: scale such frames
 * down nearer the model size first if fine detail matters.
 *
 * <p>No call allocates. Interpolation tables are sized to the model input once, in the constructor, and are
 * recomputed only when the source geometry changes from the previous call.
 *
 * <pre>{@code
 * FramePreprocessor pre = new FramePreprocessor(spec);
 * FloatBuffer input = ByteBuffer.allocateDirect(4 * spec.imageSize()).order(ByteOrder.nativeOrder()).asFloatBuffer();
 * pre.toFloatNchw(frame, 0, 640, 480, 640 * 3, PixelFormat.BGR24, input, 0);
 * }</pre>
 *
 * <p>Thread safety: not thread-safe (it caches tables for the last geometry); use one instance per thread.
 * Ownership: the source and destination buffers stay the caller's; nothing is retained after a call returns.
 */
public final class FramePreprocessor {
    private static final float LUMA_R = 0.299f;
    private static final float LUMA_G = 0.587f;
    private static final float LUMA_B = 0.114f;

    private static final int OUT_FLOAT_NCHW = 0;
    private static final int OUT_UINT8_NHWC = 1;

    private final int channels;
    private final int height;
    private final int width;
    private final PixelOrder pixelOrder;
    private final ResizeMode resizeMode;
    private final Normalization normalization;

    /** [format][channel][tap]: byte offset within a source pixel and weight of each tap. */
    private final int[][][] tapOffset;
    private final float[][][] tapWeight;

    private final int[] xOff0;
    private final int[] xOff1;
    private final float[] xWeight;
    private final int[] yOff0;
    private final int[] yOff1;
    private final float[] yWeight;

    private int cachedWidth = -1;
    private int cachedHeight = -1;
    private int cachedStride = -1;
    private int cachedBpp = -1;

    /** Re-pointed at the caller's source on each call; never retained past it. */
    private byte[] srcArray;
    private ByteBuffer srcBuffer;

    /**
     * @param spec the model spec: its input size, pixel order, normalisation and resize mode are used
     */
    public FramePreprocessor(ModelSpec spec) {
        this(spec.channels(), spec.height(), spec.width(), spec.pixelOrder(), spec.normalization(), spec.resizeMode());
    }

    /**
     * @param channels      model channels, 1 or 3, agreeing with {@code pixelOrder}
     * @param height        model input height
     * @param width         model input width
     * @param pixelOrder    channel order of the output
     * @param normalization normalisation of float output (unused for uint8 output)
     * @param resizeMode    resize mode
     * @throws IllegalArgumentException if the values disagree
     */
    public FramePreprocessor(int channels, int height, int width, PixelOrder pixelOrder, Normalization normalization,
                             ResizeMode resizeMode) {
        Objects.requireNonNull(pixelOrder, "pixelOrder");
        Objects.requireNonNull(normalization, "normalization");
        if (pixelOrder.channels() != channels) {
            throw new IllegalArgumentException("channels: expected " + pixelOrder.channels() + " for " + pixelOrder
                    + ", found " + channels);
        }
        if (normalization.channels() != channels) {
            throw new IllegalArgumentException("normalization: expected " + channels + " channel(s), found "
                    + normalization.channels());
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("size: expected positive height and width, found " + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size: expected at most " + Integer.MAX_VALUE + " values per image, found "
                    + channels + "x" + height + "x" + width);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixelOrder = pixelOrder;
        this.resizeMode = Objects.requireNonNull(resizeMode, "resizeMode");
        this.normalization = normalization;
        PixelFormat[] formats = PixelFormat.values();
        this.tapOffset = new int[formats.length][channels][];
        this.tapWeight = new float[formats.length][channels][];
        for (PixelFormat f : formats) {
            for (int c = 0; c < channels; c++) {
                buildTaps(f, c);
            }
        }
        this.xOff0 = new int[width];
        this.xOff1 = new int[width];
        this.xWeight = new float[width];
        this.yOff0 = new int[height];
        this.yOff1 = new int[height];
        this.yWeight = new float[height];
    }

    private void buildTaps(PixelFormat f, int c) {
        int fi = f.ordinal();
        if (!f.isColor()) {
            tapOffset[fi][c] = new int[] {0};
            tapWeight[fi][c] = new float[] {1f};
        } else if (pixelOrder == PixelOrder.GRAY) {
            tapOffset[fi][c] = new int[] {f.redOffset(), f.greenOffset(), f.blueOffset()};
            tapWeight[fi][c] = new float[] {LUMA_R, LUMA_G, LUMA_B};
        } else {
            boolean rgb = pixelOrder == PixelOrder.RGB;
            int o = switch (c) {
                case 0 -> rgb ? f.redOffset() : f.blueOffset();
                case 1 -> f.greenOffset();
                default -> rgb ? f.blueOffset() : f.redOffset();
            };
            tapOffset[fi][c] = new int[] {o};
            tapWeight[fi][c] = new float[] {1f};
        }
    }

    /** @return output channels */
    public int channels() {
        return channels;
    }

    /** @return output height */
    public int height() {
        return height;
    }

    /** @return output width */
    public int width() {
        return width;
    }

    /** @return values written per image: {@code channels * height * width} */
    public int outputSize() {
        return channels * height * width;
    }

    /**
     * Writes one frame as normalised float NCHW ({@code [C, H, W]} of one image) into {@code dst}, starting at
     * absolute index {@code dstIndex}; {@code dst}'s position and limit are not changed.
     *
     * @param src       packed pixels
     * @param srcOffset index of the first byte of the top-left pixel
     * @param width     frame width in pixels
     * @param height    frame height in pixels
     * @param rowStride bytes from one row to the next ({@code >= width * bytesPerPixel})
     * @param format    pixel layout
     * @param dst       destination (direct native-order buffers are what ONNX Runtime reads without a copy)
     * @param dstIndex  absolute index of the first value written
     * @throws IllegalArgumentException if the geometry is inconsistent or a buffer is too small
     */
    public void toFloatNchw(byte[] src, int srcOffset, int width, int height, int rowStride, PixelFormat format,
                            FloatBuffer dst, int dstIndex) {
        checkSource(src.length, srcOffset, width, height, rowStride, format);
        checkDestination(dst, dstIndex);
        srcArray = src;
        try {
            run(srcOffset, width, height, rowStride, format, OUT_FLOAT_NCHW, dst, null, null, dstIndex);
        } finally {
            srcArray = null;
        }
    }

    /**
     * As {@link #toFloatNchw(byte[], int, int, int, int, PixelFormat, FloatBuffer, int)}, reading from a
     * buffer by absolute index ({@code src}'s position is ignored and not changed).
     *
     * @param src       packed pixels, heap or direct
     * @param srcOffset absolute index of the first byte of the top-left pixel
     * @param width     frame width in pixels
     * @param height    frame height in pixels
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param dst       destination
     * @param dstIndex  absolute index of the first value written
     */
    public void toFloatNchw(ByteBuffer src, int srcOffset, int width, int height, int rowStride, PixelFormat format,
                            FloatBuffer dst, int dstIndex) {
        checkSource(src.limit(), srcOffset, width, height, rowStride, format);
        checkDestination(dst, dstIndex);
        srcBuffer = src;
        try {
            run(srcOffset, width, height, rowStride, format, OUT_FLOAT_NCHW, dst, null, null, dstIndex);
        } finally {
            srcBuffer = null;
        }
    }

    /**
     * Writes one frame as uint8 NHWC ({@code [H, W, C]} of one image, in the model's pixel order, values
     * rounded to nearest) into {@code dst} at absolute index {@code dstIndex}: the input of a model with fused
     * preprocessing. No normalisation is applied.
     *
     * @param src       packed pixels
     * @param srcOffset index of the first byte of the top-left pixel
     * @param width     frame width in pixels
     * @param height    frame height in pixels
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param dst       destination
     * @param dstIndex  absolute index of the first byte written
     */
    public void toUint8Nhwc(byte[] src, int srcOffset, int width, int height, int rowStride, PixelFormat format,
                            ByteBuffer dst, int dstIndex) {
        checkSource(src.length, srcOffset, width, height, rowStride, format);
        checkDestination(dst, dstIndex);
        srcArray = src;
        try {
            run(srcOffset, width, height, rowStride, format, OUT_UINT8_NHWC, null, dst, null, dstIndex);
        } finally {
            srcArray = null;
        }
    }

    /**
     * As {@link #toUint8Nhwc(byte[], int, int, int, int, PixelFormat, ByteBuffer, int)}, reading from a buffer.
     *
     * @param src       packed pixels, heap or direct
     * @param srcOffset absolute index of the first byte of the top-left pixel
     * @param width     frame width in pixels
     * @param height    frame height in pixels
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param dst       destination
     * @param dstIndex  absolute index of the first byte written
     */
    public void toUint8Nhwc(ByteBuffer src, int srcOffset, int width, int height, int rowStride, PixelFormat format,
                            ByteBuffer dst, int dstIndex) {
        checkSource(src.limit(), srcOffset, width, height, rowStride, format);
        checkDestination(dst, dstIndex);
        srcBuffer = src;
        try {
            run(srcOffset, width, height, rowStride, format, OUT_UINT8_NHWC, null, dst, null, dstIndex);
        } finally {
            srcBuffer = null;
        }
    }

    /**
     * As {@link #toUint8Nhwc(byte[], int, int, int, int, PixelFormat, ByteBuffer, int)}, into an array: how
     * datasets resize images on load, so training sees exactly what the runtime produces.
     *
     * @param src       packed pixels
     * @param srcOffset index of the first byte of the top-left pixel
     * @param width     frame width in pixels
     * @param height    frame height in pixels
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param dst       destination
     * @param dstOffset index of the first byte written
     */
    public void toUint8Nhwc(byte[] src, int srcOffset, int width, int height, int rowStride, PixelFormat format,
                            byte[] dst, int dstOffset) {
        checkSource(src.length, srcOffset, width, height, rowStride, format);
        checkDestination(dst.length, dstOffset);
        srcArray = src;
        try {
            run(srcOffset, width, height, rowStride, format, OUT_UINT8_NHWC, null, null, dst, dstOffset);
        } finally {
            srcArray = null;
        }
    }

    /**
     * Everything about the source is checked in long arithmetic before a byte is read, so sizes whose products
     * do not fit an int are refused rather than wrapped round; once this passes, every index the resampler
     * computes lies within {@code [srcOffset, length)} and fits an int.
     */
    private static void checkSource(int length, int srcOffset, int w, int h, int rowStride, PixelFormat format) {
        Objects.requireNonNull(format, "format");
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("frame size: expected positive width and height, found " + w + "x" + h);
        }
        long rowBytes = (long) w * format.bytesPerPixel();
        if (rowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame width: expected a row of at most " + Integer.MAX_VALUE + " bytes, found "
                    + w + " pixels of " + format + " (" + rowBytes + " bytes)");
        }
        if (rowStride < rowBytes) {
            throw new IllegalArgumentException("row stride: expected at least " + rowBytes + " bytes (" + w + " pixels of "
                    + format + "), found " + rowStride);
        }
        long needed = (long) srcOffset + (long) (h - 1) * rowStride + rowBytes;
        if (srcOffset < 0 || needed > length) {
            throw new IllegalArgumentException("frame: expected at least " + needed + " bytes for " + w + "x" + h + " "
                    + format + " with row stride " + rowStride + " from offset " + srcOffset + ", found " + length);
        }
    }

    /** Absolute puts are bounded by the limit, not the capacity: check what will be written, before writing. */
    private void checkDestination(java.nio.Buffer dst, int dstIndex) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("destination: expected a writable buffer, found a read-only one");
        }
        if (dstIndex < 0 || (long) dstIndex + outputSize() > dst.limit()) {
            throw noRoom(dstIndex, "limit " + dst.limit() + " (capacity " + dst.capacity() + ")");
        }
    }

    private void checkDestination(int length, int dstIndex) {
        if (dstIndex < 0 || (long) dstIndex + outputSize() > length) {
            throw noRoom(dstIndex, "length " + length);
        }
    }

    private IllegalArgumentException noRoom(int dstIndex, String found) {
        return new IllegalArgumentException("destination: expected room for " + outputSize() + " values from index "
                + dstIndex + " (up to index " + ((long) dstIndex + outputSize()) + "), found " + found);
    }

    private void prepareTables(int srcW, int srcH, int stride, int bpp) {
        if (srcW == cachedWidth && srcH == cachedHeight && stride == cachedStride && bpp == cachedBpp) {
            return;
        }
        int cropX = 0;
        int cropY = 0;
        int cropW = srcW;
        int cropH = srcH;
        if (resizeMode == ResizeMode.CENTER_CROP) {
            // Compare aspect ratios in integers: srcW / srcH versus width / height.
            long lhs = (long) srcW * height;
            long rhs = (long) width * srcH;
            if (lhs > rhs) {
                cropW = Math.max(1, (int) Math.round((double) srcH * width / height));
                cropX = (srcW - cropW) / 2;
            } else if (lhs < rhs) {
                cropH = Math.max(1, (int) Math.round((double) srcW * height / width));
                cropY = (srcH - cropH) / 2;
            }
        }
        axis(cropX, cropW, width, bpp, xOff0, xOff1, xWeight);
        axis(cropY, cropH, height, stride, yOff0, yOff1, yWeight);
        cachedWidth = srcW;
        cachedHeight = srcH;
        cachedStride = stride;
        cachedBpp = bpp;
    }

    private static void axis(int start, int length, int dst, int step, int[] off0, int[] off1, float[] weight) {
        double scale = (double) length / dst;
        int last = start + length - 1;
        for (int d = 0; d < dst; d++) {
            double s = start + (d + 0.5) * scale - 0.5;
            if (s < start) {
                s = start;
            } else if (s > last) {
                s = last;
            }
            int i0 = (int) Math.floor(s);
            int i1 = Math.min(i0 + 1, last);
            off0[d] = i0 * step;
            off1[d] = i1 * step;
            weight[d] = (float) (s - i0);
        }
    }

    private int sample(int index) {
        byte[] a = srcArray;
        return (a != null ? a[index] : srcBuffer.get(index)) & 0xFF;
    }

    private void run(int srcOffset, int srcW, int srcH, int stride, PixelFormat format, int outKind,
                     FloatBuffer fdst, ByteBuffer bdst, byte[] adst, int dstIndex) {
        int bpp = format.bytesPerPixel();
        prepareTables(srcW, srcH, stride, bpp);
        final int c = channels;
        final int h = height;
        final int w = width;
        final int plane = h * w;
        final int[][] taps = tapOffset[format.ordinal()];
        final float[][] weights = tapWeight[format.ordinal()];
        final int[] x0 = xOff0;
        final int[] x1 = xOff1;
        final float[] wx = xWeight;
        final Normalization norm = normalization;
        for (int dy = 0; dy < h; dy++) {
            int row0 = srcOffset + yOff0[dy];
            int row1 = srcOffset + yOff1[dy];
            float fy = yWeight[dy];
            for (int dx = 0; dx < w; dx++) {
                int p00 = row0 + x0[dx];
                int p01 = row0 + x1[dx];
                int p10 = row1 + x0[dx];
                int p11 = row1 + x1[dx];
                float fx = wx[dx];
                for (int ch = 0; ch < c; ch++) {
                    int[] to = taps[ch];
                    float[] tw = weights[ch];
                    float v = 0f;
                    for (int t = 0; t < to.length; t++) {
                        int o = to[t];
                        float a = sample(p00 + o);
                        float b = sample(p01 + o);
                        float cc = sample(p10 + o);
                        float d = sample(p11 + o);
                        float top = a + (b - a) * fx;
                        float bottom = cc + (d - cc) * fx;
                        v += tw[t] * (top + (bottom - top) * fy);
                    }
                    if (outKind == OUT_FLOAT_NCHW) {
                        fdst.put(dstIndex + ch * plane + dy * w + dx, norm.normalize(v, ch));
                    } else {
                        int q = (int) (v + 0.5f);
                        byte out = (byte) (q > 255 ? 255 : q);
                        int idx = dstIndex + (dy * w + dx) * c + ch;
                        if (adst != null) {
                            adst[idx] = out;
                        } else {
                            bdst.put(idx, out);
                        }
                    }
                }
            }
        }
    }
}
