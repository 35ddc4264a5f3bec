package io.edgekd.core.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferedImagePixelsTest {
    static final int W = 17;
    static final int H = 9;

    @TempDir
    Path dir;

    /** Every value 0..255 appears, 110 among them, in a pattern that is not symmetric. */
    static int value(int x, int y) {
        return (x * 31 + y * 17 + x * y) & 0xff;
    }

    static byte[] grayPng(Path file) throws Exception {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raw = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setSample(x, y, 0, value(x, y));
                raw[y * W + x] = (byte) value(x, y);
            }
        }
        img.getRaster().setSample(0, 0, 0, 110);
        raw[0] = 110;
        ImageIO.write(img, "png", file.toFile());
        return raw;
    }

    @Test
    void aGrayPngDecodesToItsStoredValues() throws Exception {
        byte[] raw = grayPng(dir.resolve("g.png"));
        BufferedImage img = ImageIO.read(dir.resolve("g.png").toFile());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
        assertTrue(BufferedImagePixels.isGray(img));
        // What getRGB makes of the stored 110: the colour-space conversion this class avoids.
        assertEquals(175, img.getRGB(0, 0) & 0xff);

        byte[] gray = new byte[W * H];
        BufferedImagePixels.copy(img, PixelFormat.GRAY8, gray, 0, W);
        assertArrayEquals(raw, gray);

        byte[] bgr = new byte[W * H * 3];
        BufferedImagePixels.copy(img, PixelFormat.BGR24, bgr, 0, W * 3);
        byte[] rgb = new byte[W * H * 3];
        BufferedImagePixels.copy(img, PixelFormat.RGB24, rgb, 0, W * 3);
        for (int i = 0; i < W * H; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(raw[i], bgr[i * 3 + c], "pixel " + i);
                assertEquals(raw[i], rgb[i * 3 + c], "pixel " + i);
            }
        }
    }

    @Test
    void sixteenBitGrayIsScaledWithoutColourConversion() throws Exception {
        BufferedImage img16 = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img16.getRaster().setSample(x, y, 0, value(x, y) * 257);
            }
        }
        ImageIO.write(img16, "png", dir.resolve("g16.png").toFile());
        BufferedImage img = ImageIO.read(dir.resolve("g16.png").toFile());
        assertTrue(BufferedImagePixels.isGray(img));
        byte[] gray = new byte[W * H];
        BufferedImagePixels.copy(img, PixelFormat.GRAY8, gray, 0, W);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(value(x, y), gray[y * W + x] & 0xff, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void colourPicturesGiveWhatGetRgbGives() {
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_ARGB_PRE,
                BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_4BYTE_ABGR_PRE, BufferedImage.TYPE_USHORT_565_RGB, BufferedImage.TYPE_USHORT_555_RGB,
                BufferedImage.TYPE_BYTE_INDEXED};
        for (int type : types) {
            BufferedImage img = new BufferedImage(W, H, type);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img.setRGB(x, y, 0xff000000 | value(x, y) << 16 | value(y, x) << 8 | value(x + 3, y + 5));
                }
            }
            assertFalse(BufferedImagePixels.isGray(img), "type " + type);
            byte[] rgb = new byte[W * H * 3];
            byte[] bgr = new byte[W * H * 3];
            byte[] gray = new byte[W * H];
            BufferedImagePixels.copy(img, PixelFormat.RGB24, rgb, 0, W * 3);
            BufferedImagePixels.copy(img, PixelFormat.BGR24, bgr, 0, W * 3);
            BufferedImagePixels.copy(img, PixelFormat.GRAY8, gray, 0, W);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int argb = img.getRGB(x, y);
                    int r = (argb >> 16) & 0xff;
                    int g = (argb >> 8) & 0xff;
                    int b = argb & 0xff;
                    int p = y * W + x;
                    String where = "type " + type + " pixel " + x + "," + y;
                    assertArrayEquals(new byte[] {(byte) r, (byte) g, (byte) b}, Arrays.copyOfRange(rgb, p * 3, p * 3 + 3), where);
                    assertArrayEquals(new byte[] {(byte) b, (byte) g, (byte) r}, Arrays.copyOfRange(bgr, p * 3, p * 3 + 3), where);
                    assertEquals(Math.round(0.299f * r + 0.587f * g + 0.114f * b), gray[p] & 0xff, where);
                }
            }
        }
    }

    @Test
    void rowsGoWhereOffsetAndStrideSayAndNothingElseIsTouched() throws Exception {
        byte[] raw = grayPng(dir.resolve("g.png"));
        BufferedImage img = ImageIO.read(dir.resolve("g.png").toFile());
        int offset = 5;
        int stride = W * 3 + 7;
        byte[] dst = new byte[offset + stride * H];
        Arrays.fill(dst, (byte) -1);
        BufferedImagePixels.copy(img, PixelFormat.BGR24, dst, offset, stride);
        for (int i = 0; i < dst.length; i++) {
            int o = i - offset;
            boolean pixel = o >= 0 && o % stride < W * 3;
            byte expected = pixel ? raw[(o / stride) * W + (o % stride) / 3] : (byte) -1;
            assertEquals(expected, dst[i], "byte " + i);
        }
    }

    @Test
    void refusesWhatItCannotDo() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BufferedImagePixels.copy(img, PixelFormat.RGBA32, new byte[W * H * 4], 0, W * 4));
        assertEquals("format: expected GRAY8, RGB24 or BGR24, found RGBA32", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BufferedImagePixels.copy(img, PixelFormat.BGR24, new byte[W * H * 3], 0, W));
        assertEquals("stride: expected at least 51 bytes (17 pixels of BGR24), found 17", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BufferedImagePixels.copy(img, PixelFormat.GRAY8, new byte[W * H], 1, W));
        assertEquals("dst: expected at least 154 bytes for a 17x9 GRAY8 picture at offset 1 and stride 17, found 153", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BufferedImagePixels.copy(img, PixelFormat.GRAY8, new byte[W * H], -1, W));
    }
}
