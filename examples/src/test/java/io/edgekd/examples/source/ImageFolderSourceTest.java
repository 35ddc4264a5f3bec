package io.edgekd.examples.source;

import io.edgekd.core.image.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code file://dir/}: the frames carry the pictures' stored pixel values. */
class ImageFolderSourceTest {
    static final int W = 28;
    static final int H = 20;

    @TempDir
    Path dir;

    /** A gray picture like Fashion-MNIST's: every value 0..255 appears, 110 at the top left. */
    static int gray(int x, int y) {
        return x == 0 && y == 0 ? 110 : (x * 37 + y * 11 + x * y) & 0xff;
    }

    static int rgb(int x, int y) {
        return gray(x, y) << 16 | gray(y, x) << 8 | gray(x + 1, y + 2);
    }

    @Test
    void grayAndColourPicturesArriveWithTheirStoredValues() throws Exception {
        BufferedImage g = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage c = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                g.getRaster().setSample(x, y, 0, gray(x, y));
                c.setRGB(x, y, rgb(x, y));
            }
        }
        ImageIO.write(g, "png", dir.resolve("a-gray.png").toFile());
        ImageIO.write(c, "png", dir.resolve("b-colour.png").toFile());

        for (Flip flip : new Flip[] {Flip.NONE, Flip.ROTATE_180}) {
            try (ImageFolderSource source = ImageFolderSource.open(SourceUri.parse("file://" + dir + "/", null), flip)) {
                VideoFrame frame = new VideoFrame(16);
                assertTrue(source.read(frame));
                assertEquals(PixelFormat.BGR24, frame.format());
                assertEquals(W, frame.width());
                assertEquals(H, frame.height());
                ByteBuffer px = frame.pixels();
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int p = at(frame, x, y, flip);
                        String where = flip + " gray pixel " + x + "," + y;
                        assertEquals(gray(x, y), px.get(p) & 0xff, where);
                        assertEquals(gray(x, y), px.get(p + 1) & 0xff, where);
                        assertEquals(gray(x, y), px.get(p + 2) & 0xff, where);
                    }
                }
                assertTrue(source.read(frame));
                px = frame.pixels();
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int p = at(frame, x, y, flip);
                        String where = flip + " colour pixel " + x + "," + y;
                        assertEquals(rgb(x, y) & 0xff, px.get(p) & 0xff, where);
                        assertEquals((rgb(x, y) >> 8) & 0xff, px.get(p + 1) & 0xff, where);
                        assertEquals((rgb(x, y) >> 16) & 0xff, px.get(p + 2) & 0xff, where);
                    }
                }
                assertFalse(source.read(frame));
            }
        }
    }

    /** Where the picture's pixel (x, y) lands in the frame. */
    private static int at(VideoFrame frame, int x, int y, Flip flip) {
        int fx = flip == Flip.ROTATE_180 ? W - 1 - x : x;
        int fy = flip == Flip.ROTATE_180 ? H - 1 - y : y;
        return fy * frame.stride() + fx * 3;
    }
}
