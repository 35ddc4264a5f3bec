package io.edgekd.examples.overlay;

/**
 * A line of text built in a fixed {@code char} array: labels and numbers appended without creating strings,
 * for the per-frame overlay and the JSON log.
 *
 * <p>Thread safety: not thread-safe. Ownership: {@link #chars()} is the live array.
 */
public final class TextLine {
    private final char[] chars;
    private int length;

    /** @param capacity the most characters the line holds; more are cut off */
    public TextLine(int capacity) {
        chars = new char[capacity];
    }

    /** @return this, emptied */
    public TextLine clear() {
        length = 0;
        return this;
    }

    /** @param c a character @return this */
    public TextLine append(char c) {
        if (length < chars.length) {
            chars[length++] = c;
        }
        return this;
    }

    /** @param s text @return this */
    public TextLine append(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            append(s.charAt(i));
        }
        return this;
    }

    /** @param v a whole number @return this */
    public TextLine append(long v) {
        if (v < 0) {
            append('-');
            if (v == Long.MIN_VALUE) {
                return append("9223372036854775808");
            }
            v = -v;
        }
        long div = 1;
        while (v / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            append((char) ('0' + (v / div) % 10));
        }
        return this;
    }

    /**
     * Appends a number rounded to a fixed number of decimals ({@code 12.35}).
     *
     * @param v        the number; NaN and infinities print as {@code -}
     * @param decimals 0 to 6
     * @return this
     */
    public TextLine appendFixed(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return append('-');
        }
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long r = Math.round(Math.abs(v) * scale);
        if (v < 0 && r != 0) {
            append('-');
        }
        append(r / scale);
        if (decimals > 0) {
            append('.');
            long frac = r % scale;
            for (long d = scale / 10; d > 0; d /= 10) {
                append((char) ('0' + (frac / d) % 10));
            }
        }
        return this;
    }

    /** @return the characters; the first {@link #length()} are the line */
    public char[] chars() {
        return chars;
    }

    /** @return characters in the line */
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return new String(chars, 0, length);
    }
}
