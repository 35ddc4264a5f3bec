package io.edgekd.core.spec;

import java.util.Locale;

/**
 * The channel order a model expects in its input tensor.
 *
 * <p>Thread safety: immutable.
 */
public enum PixelOrder {
    /** One luminance channel. */
    GRAY(1),
    /** Three channels, red first. */
    RGB(3),
    /** Three channels, blue first (OpenCV's native order). */
    BGR(3);

    private final int channels;

    PixelOrder(int channels) {
        this.channels = channels;
    }

    /** @return the number of channels this order describes (1 or 3) */
    public int channels() {
        return channels;
    }

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
