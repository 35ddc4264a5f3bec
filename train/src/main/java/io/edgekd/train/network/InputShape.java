package io.edgekd.train.network;

/**
 * The image size a network takes, NCHW.
 *
 * @param channels 1 or 3
 * @param height   pixels
 * @param width    pixels
 */
public record InputShape(int channels, int height, int width) {
    /** Validates. */
    public InputShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input shape: expected positive C, H, W, found " + channels + "x" + height + "x" + width);
        }
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
