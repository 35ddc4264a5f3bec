package io.edgekd.core.spec;

import java.util.Locale;

/**
 * The form in which a model takes its input.
 *
 * <p>Thread safety: immutable.
 */
public enum InputForm {
    /**
     * Float32 tensor {@code [N, C, H, W]}, already scaled and normalised as the model's
     * {@link Normalization} says. The caller (or {@code FramePreprocessor}) does the preprocessing.
     */
    FLOAT_NCHW,
    /**
     * Raw camera bytes: uint8 tensor {@code [N, H, W, C]} in the model's {@link PixelOrder}. Scaling,
     * normalisation and the transpose to NCHW are fused into the graph, so on a GPU they run there.
     * The frame must already have the model's height and width.
     */
    UINT8_NHWC;

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
