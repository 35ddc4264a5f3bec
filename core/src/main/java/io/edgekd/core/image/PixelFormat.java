package io.edgekd.core.image;

import io.edgekd.core.spec.PixelOrder;

/**
 * The byte layout of one packed 8-bit pixel in a source frame.
 *
 * <p>Thread safety: immutable.
 */
public enum PixelFormat {
    /** One byte per pixel: luminance. */
    GRAY8(1, -1, -1, -1),
    /** Three bytes per pixel: red, green, blue. */
    RGB24(3, 0, 1, 2),
    /** Three bytes per pixel: blue, green, red (OpenCV's {@code Mat} and most V4L2/GStreamer BGR frames). */
    BGR24(3, 2, 1, 0),
    /** Four bytes per pixel: red, green, blue, alpha (alpha ignored). */
    RGBA32(4, 0, 1, 2),
    /** Four bytes per pixel: blue, green, red, alpha (alpha ignored; Android/Windows surfaces). */
    BGRA32(4, 2, 1, 0);

    private final int bytesPerPixel;
    private final int red;
    private final int green;
    private final int blue;

    PixelFormat(int bytesPerPixel, int red, int green, int blue) {
        this.bytesPerPixel = bytesPerPixel;
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /**
     * @param order a model's channel order
     * @return the packed format whose bytes are in that order: {@link #GRAY8}, {@link #RGB24} or {@link #BGR24}
     */
    public static PixelFormat packed(PixelOrder order) {
        return switch (order) {
            case GRAY -> GRAY8;
            case RGB -> RGB24;
            case BGR -> BGR24;
        };
    }

    /** @return bytes per pixel: 1, 3 or 4 */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    /** @return whether the format carries colour (everything but {@link #GRAY8}) */
    public boolean isColor() {
        return bytesPerPixel > 1;
    }

    /** @return byte offset of red within a pixel, or -1 for gray */
    public int redOffset() {
        return red;
    }

    /** @return byte offset of green within a pixel, or -1 for gray */
    public int greenOffset() {
        return green;
    }

    /** @return byte offset of blue within a pixel, or -1 for gray */
    public int blueOffset() {
        return blue;
    }

    /**
     * @param width pixels per row
     * @return the tightly packed row length in bytes
     * @throws IllegalArgumentException if it does not fit an int
     */
    public int rowBytes(int width) {
        long bytes = (long) width * bytesPerPixel;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("width: expected a row of at most " + Integer.MAX_VALUE + " bytes, found "
                    + width + " pixels of " + this + " (" + bytes + " bytes)");
        }
        return (int) bytes;
    }
}
