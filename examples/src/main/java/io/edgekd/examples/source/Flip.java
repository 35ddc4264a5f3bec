package io.edgekd.examples.source;

import java.util.Locale;

/**
 * {@code --input-flip}: jetson-inference's flip methods, numbered as GStreamer's {@code nvvidconv flip-method}.
 * On a CSI camera every method runs in {@code nvvidconv}; for other inputs the grab thread applies
 * {@link #NONE}, {@link #HORIZONTAL}, {@link #VERTICAL} and {@link #ROTATE_180} while it copies the frame
 * (the rotations by 90 degrees change the frame's shape and are CSI-only).
 *
 * <p>Thread safety: immutable.
 */
public enum Flip {
    /** No flip. */
    NONE(0),
    /** 90 degrees counter-clockwise. */
    COUNTERCLOCKWISE(1),
    /** 180 degrees. */
    ROTATE_180(2),
    /** 90 degrees clockwise. */
    CLOCKWISE(3),
    /** Mirror left to right. */
    HORIZONTAL(4),
    /** Upside down. */
    VERTICAL(6),
    /** Transpose over the upper-right diagonal. */
    UPPER_RIGHT_DIAGONAL(5),
    /** Transpose over the upper-left diagonal. */
    UPPER_LEFT_DIAGONAL(7);

    private final int nvvidconvMethod;

    Flip(int nvvidconvMethod) {
        this.nvvidconvMethod = nvvidconvMethod;
    }

    /** @return the value of {@code nvvidconv flip-method} */
    public int nvvidconvMethod() {
        return nvvidconvMethod;
    }

    /** @return whether the grab thread can apply it while copying (the frame keeps its shape) */
    public boolean keepsShape() {
        return this == NONE || this == HORIZONTAL || this == VERTICAL || this == ROTATE_180;
    }

    /** @return the jetson-inference name, such as {@code rotate-180} */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param s a jetson-inference name ({@code none}, {@code counterclockwise}, {@code rotate-180}, {@code clockwise},
     *          {@code horizontal}, {@code vertical}, {@code upper-right-diagonal}, {@code upper-left-diagonal})
     * @return the method
     * @throws IllegalArgumentException listing the names
     */
    public static Flip parse(String s) {
        for (Flip f : values()) {
            if (f.key().equals(s.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Flip f : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(f.key());
        }
        throw new IllegalArgumentException("--input-flip: expected one of " + names + ", found '" + s + "'");
    }
}
