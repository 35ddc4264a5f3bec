package io.edgekd.core.spec;

import java.util.Locale;

/**
 * How a frame of another size is brought to the model's height and width.
 *
 * <p>Thread safety: immutable.
 */
public enum ResizeMode {
    /** Bilinear resize of the whole frame; the aspect ratio may change. */
    STRETCH,
    /**
     * Crop the largest centred region with the model's aspect ratio, then bilinear resize it; nothing is
     * stretched, the frame's borders are lost.
     */
    CENTER_CROP;

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
