package io.edgekd.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.util.Objects;

/**
 * The pixels of a decoded picture ({@code javax.imageio}'s {@link BufferedImage}) as packed 8-bit
 * {@link PixelFormat#GRAY8}, {@link PixelFormat#RGB24} or {@link PixelFormat#BGR24} bytes in the caller's array:
 * the one way edgekd reads pictures, for datasets, {@code ClassifyImages} and the camera demo's picture folders.
 *
 * <pre>{@code
 * BufferedImage img = ImageIO.read(file);
 * PixelFormat format = BufferedImagePixels.isGray(img) ? PixelFormat.GRAY8 : PixelFormat.BGR24;
 * byte[] pixels = new byte[img.getWidth() * img.getHeight() * format.bytesPerPixel()];
 * BufferedImagePixels.copy(img, format, pixels, 0, img.getWidth() * format.bytesPerPixel());
 * classifier.classify(pixels, img.getWidth(), img.getHeight(), format, top);
 * }</pre>
 *
 * <p><b>Gray pictures are read from the raster.</b> {@link BufferedImage#getRGB} treats a gray image
 * ({@code TYPE_BYTE_GRAY}, {@code TYPE_USHORT_GRAY}: gray PNGs such as Fashion-MNIST's) as linear gray and
 * converts it to sRGB, so a stored 110 comes back as 175; the stored values are what a model was trained on
 * (the IDX files hold the same bytes), so they are read as they are, 16-bit samples scaled to 8 bits with
 * rounding. 8-bit sRGB images without premultiplied alpha ({@code TYPE_3BYTE_BGR}, {@code TYPE_INT_RGB},
 * {@code TYPE_INT_ARGB}, {@code TYPE_4BYTE_ABGR}, ...) are read from the raster too, which gives exactly what
 * {@code getRGB} would; every other picture (palettes, premultiplied alpha, other colour spaces, 5- or 6-bit
 * channels) goes through {@code getRGB} and its conversion to sRGB. Alpha is dropped. Gray to colour replicates
 * the value; colour to gray is ITU-R BT.601 luma, {@code 0.299 R + 0.587 G + 0.114 B} rounded, the formula
 * {@link FramePreprocessor} uses.
 *
 * <p>Allocation: the raster paths allocate nothing; the {@code getRGB} path allocates one {@code int} row per
 * call (and whatever {@code getRGB} allocates inside).
 *
 * <p>Thread safety: stateless; concurrent calls on different destinations are safe. Ownership: nothing is
 * retained; the image is only read.
 */
public final class BufferedImagePixels {
    private BufferedImagePixels() {
    }

    /**
     * @param image a decoded picture
     * @return whether it is a gray picture whose stored values {@link #copy} reads as they are: one gray colour
     *         component of 8 or 16 bits (optionally with alpha)
     */
    public static boolean isGray(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        return cm instanceof ComponentColorModel
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1
                && (cm.getComponentSize(0) == 8 || cm.getComponentSize(0) == 16);
    }

    /**
     * Copies the whole picture into {@code dst}, row after row, {@code stride} bytes apart.
     *
     * @param image  a decoded picture
     * @param format {@link PixelFormat#GRAY8}, {@link PixelFormat#RGB24} or {@link PixelFormat#BGR24}
     * @param dst    the destination, the caller's
     * @param offset where the first row starts in {@code dst}
     * @param stride bytes from one row to the next, at least {@code width * format.bytesPerPixel()}
     * @throws IllegalArgumentException if the format is not one of the three, or {@code dst} is too small for
     *                                  the picture at that offset and stride
     */
    public static void copy(BufferedImage image, PixelFormat format, byte[] dst, int offset, int stride) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(dst, "dst");
        if (format != PixelFormat.GRAY8 && format != PixelFormat.RGB24 && format != PixelFormat.BGR24) {
            throw new IllegalArgumentException("format: expected GRAY8, RGB24 or BGR24, found " + format);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int bpp = format.bytesPerPixel();
        int rowBytes = format.rowBytes(w);
        if (stride < rowBytes) {
            throw new IllegalArgumentException("stride: expected at least " + rowBytes + " bytes (" + w + " pixels of "
                    + format + "), found " + stride);
        }
        long end = (long) offset + (long) (h - 1) * stride + rowBytes;
        if (offset < 0 || end > dst.length) {
            throw new IllegalArgumentException("dst: expected at least " + end + " bytes for a " + w + "x" + h + " " + format
                    + " picture at offset " + offset + " and stride " + stride + ", found " + dst.length);
        }
        // Byte offsets of red, green and blue in a destination pixel; gray writes one byte.
        int r = format == PixelFormat.GRAY8 ? 0 : format.redOffset();
        int g = format == PixelFormat.GRAY8 ? 0 : format.greenOffset();
        int b = format == PixelFormat.GRAY8 ? 0 : format.blueOffset();
        boolean toGray = format == PixelFormat.GRAY8;
        Raster raster = image.getRaster();
        if (isGray(image)) {
            int bits = image.getColorModel().getComponentSize(0);
            for (int y = 0; y < h; y++) {
                int d = offset + y * stride;
                for (int x = 0; x < w; x++, d += bpp) {
                    int v = raster.getSample(x, y, 0);
                    byte gray = (byte) (bits == 8 ? v : (v * 255 + 32767) / 65535);
                    dst[d] = gray;
                    if (!toGray) {
                        dst[d + 1] = gray;
                        dst[d + 2] = gray;
                    }
                }
            }
        } else if (isPlainSrgb(image.getColorModel())) {
            // Bands 0, 1, 2 of these rasters are red, green and blue, whatever the byte order in memory.
            for (int y = 0; y < h; y++) {
                int d = offset + y * stride;
                for (int x = 0; x < w; x++, d += bpp) {
                    put(dst, d, raster.getSample(x, y, 0), raster.getSample(x, y, 1), raster.getSample(x, y, 2), toGray, r, g, b);
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                int d = offset + y * stride;
                for (int x = 0; x < w; x++, d += bpp) {
                    int argb = row[x];
                    put(dst, d, (argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff, toGray, r, g, b);
                }
            }
        }
    }

    /** Whether the raster's first three bands are the very sRGB bytes {@code getRGB} would return. */
    private static boolean isPlainSrgb(ColorModel cm) {
        if (!(cm instanceof ComponentColorModel || cm instanceof DirectColorModel) || !cm.getColorSpace().isCS_sRGB()
                || cm.isAlphaPremultiplied() || cm.getNumColorComponents() != 3) {
            return false;
        }
        for (int c = 0; c < 3; c++) {
            if (cm.getComponentSize(c) != 8) {
                return false;
            }
        }
        return true;
    }

    private static void put(byte[] dst, int d, int red, int green, int blue, boolean toGray, int r, int g, int b) {
        if (toGray) {
            dst[d] = (byte) Math.round(0.299f * red + 0.587f * green + 0.114f * blue);
        } else {
            dst[d + r] = (byte) red;
            dst[d + g] = (byte) green;
            dst[d + b] = (byte) blue;
        }
    }
}
