package io.edgekd.examples.source;

import java.nio.ByteBuffer;

/**
 * The one copy a grabbed frame gets: from the grabber's buffer (valid only until its next grab) into an
 * exchange slot, with a flip that keeps the frame's shape applied on the way. Allocation-free.
 *
 * <p>Thread safety: stateless.
 */
final class FrameCopy {
    private FrameCopy() {
    }

    static void copy(ByteBuffer src, int srcStride, ByteBuffer dst, int dstStride, int width, int height, int bpp, Flip flip) {
        int rowBytes = width * bpp;
        boolean mirror = flip == Flip.HORIZONTAL || flip == Flip.ROTATE_180;
        boolean upsideDown = flip == Flip.VERTICAL || flip == Flip.ROTATE_180;
        if (!mirror && !upsideDown && srcStride == dstStride) {
            dst.put(0, src, 0, (height - 1) * srcStride + rowBytes);
            return;
        }
        for (int y = 0; y < height; y++) {
            int s = y * srcStride;
            int d = (upsideDown ? height - 1 - y : y) * dstStride;
            if (!mirror) {
                dst.put(d, src, s, rowBytes);
            } else {
                for (int x = 0; x < width; x++) {
                    int sp = s + x * bpp;
                    int dp = d + (width - 1 - x) * bpp;
                    for (int c = 0; c < bpp; c++) {
                        dst.put(dp + c, src.get(sp + c));
                    }
                }
            }
        }
    }
}
