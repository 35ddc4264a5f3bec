package io.edgekd.examples.source;

import io.edgekd.core.image.PixelFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One frame's pixels in a direct buffer with a row stride, and what is known about it: a reusable slot that a
 * {@link FrameSource} fills and the frame loop reads, classifies, draws on and writes, frame after frame.
 *
 * <p>Thread safety: none; a frame belongs to one thread at a time, passed between threads only through a
 * {@link FrameExchange}. Ownership: the slot owns its buffer; {@link #pixels()} is valid until the next
 * {@link #ensureCapacity(int)} on the same frame.
 */
public final class VideoFrame {
    private ByteBuffer pixels;
    private int width;
    private int height;
    private int stride;
    private PixelFormat format = PixelFormat.BGR24;
    private long index;
    private long timestampMicros;
    private long captureEpochMillis;
    private long grabNanos;

    /** @param capacity initial buffer size in bytes */
    public VideoFrame(int capacity) {
        pixels = ByteBuffer.allocateDirect(Math.max(1, capacity)).order(ByteOrder.nativeOrder());
    }

    /**
     * Makes sure the buffer holds at least {@code bytes}; allocates only when it grows (a source whose frame size
     * changes, such as a folder of pictures of different sizes).
     *
     * @param bytes bytes needed
     * @return the buffer
     */
    public ByteBuffer ensureCapacity(int bytes) {
        if (pixels.capacity() < bytes) {
            pixels = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        return pixels;
    }

    /**
     * Describes the pixels now in the buffer.
     *
     * @param width  pixels per row
     * @param height rows
     * @param stride bytes from one row to the next, at least {@code width * format.bytesPerPixel()}
     * @param format pixel layout
     */
    public void describe(int width, int height, int stride, PixelFormat format) {
        if (stride < width * format.bytesPerPixel() || (long) stride * height > pixels.capacity()) {
            throw new IllegalArgumentException("frame: expected stride >= " + width * format.bytesPerPixel() + " and "
                    + (long) stride * height + " <= capacity " + pixels.capacity() + ", found stride " + stride);
        }
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.format = format;
    }

    /**
     * @param index             frame number from the start of the input (counting every frame the source read)
     * @param timestampMicros   the stream's presentation time, or the time since the source opened for cameras
     * @param captureEpochMillis wall clock when the frame was read
     * @param grabNanos         time the grab took (read, decode, copy)
     */
    public void stamp(long index, long timestampMicros, long captureEpochMillis, long grabNanos) {
        this.index = index;
        this.timestampMicros = timestampMicros;
        this.captureEpochMillis = captureEpochMillis;
        this.grabNanos = grabNanos;
    }

    /** @return the pixels, read by absolute index from 0 */
    public ByteBuffer pixels() {
        return pixels;
    }

    /** @return pixels per row */
    public int width() {
        return width;
    }

    /** @return rows */
    public int height() {
        return height;
    }

    /** @return bytes from one row to the next (padded rows are common: FFmpeg aligns rows to 64 bytes) */
    public int stride() {
        return stride;
    }

    /** @return pixel layout */
    public PixelFormat format() {
        return format;
    }

    /** @return frame number from the start of the input */
    public long index() {
        return index;
    }

    /** @return presentation time in microseconds */
    public long timestampMicros() {
        return timestampMicros;
    }

    /** @return wall clock when the frame was read, ms since the epoch */
    public long captureEpochMillis() {
        return captureEpochMillis;
    }

    /** @return time the grab took, ns */
    public long grabNanos() {
        return grabNanos;
    }
}
