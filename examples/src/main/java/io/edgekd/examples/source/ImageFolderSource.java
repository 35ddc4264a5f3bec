package io.edgekd.examples.source;

import io.edgekd.core.image.BufferedImagePixels;
import io.edgekd.core.image.PixelFormat;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code file://dir/}: the pictures of a folder (PNG, JPEG, BMP, GIF), in name order, one frame each, decoded
 * with {@code javax.imageio} into packed BGR24 ({@link BufferedImagePixels}: a gray picture's stored values in all
 * three channels). Pictures may differ in size; the slot grows when one is larger.
 * Decoding allocates (ImageIO does); a folder is for trying a model, not for camera speed.
 *
 * <p>Thread safety: as {@link FrameSource}.
 */
public final class ImageFolderSource implements FrameSource {
    private final SourceUri uri;
    private final List<Path> files;
    private final Flip flip;
    private final int width;
    private final int height;
    private int next;
    private long index;
    /** The picture as packed BGR24, before the flip; grows with the largest picture. */
    private byte[] decoded = new byte[0];
    private ByteBuffer decodedView = ByteBuffer.wrap(decoded);

    private ImageFolderSource(SourceUri uri, List<Path> files, Flip flip, BufferedImage first) {
        this.uri = uri;
        this.files = files;
        this.flip = flip;
        this.width = first.getWidth();
        this.height = first.getHeight();
    }

    /**
     * @param uri  a {@link SourceUri.Kind#IMAGE_FOLDER} input
     * @param flip a flip that keeps the frame's shape
     * @return the source
     * @throws SourceException if the folder is missing, empty of pictures, or its first picture is unreadable
     */
    public static ImageFolderSource open(SourceUri uri, Flip flip) throws SourceException {
        if (!flip.keepsShape()) {
            throw new SourceException(uri + ": --input-flip " + flip.key() + " is for csi:// inputs only");
        }
        Path dir = Path.of(uri.location());
        if (!Files.isDirectory(dir)) {
            throw new SourceException(uri + ": no such folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(ImageFolderSource::isPicture).sorted().toList();
        } catch (IOException e) {
            throw new SourceException(uri + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new SourceException(uri + ": the folder holds no pictures (expected .png, .jpg, .jpeg, .bmp or .gif files)");
        }
        return new ImageFolderSource(uri, files, flip, decode(uri, files.get(0)));
    }

    /**
     * @param p a path
     * @return whether its name ends like a picture javax.imageio reads
     */
    public static boolean isPicture(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp") || n.endsWith(".gif"));
    }

    private static BufferedImage decode(SourceUri uri, Path p) throws SourceException {
        try {
            BufferedImage img = ImageIO.read(p.toFile());
            if (img == null) {
                throw new SourceException(uri + ": " + p.getFileName() + " is not a picture javax.imageio can decode");
            }
            return img;
        } catch (IOException e) {
            throw new SourceException(uri + ": cannot read " + p.getFileName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean read(VideoFrame into) throws SourceException {
        if (next >= files.size()) {
            return false;
        }
        long t0 = System.nanoTime();
        BufferedImage img = decode(uri, files.get(next++));
        int w = img.getWidth();
        int h = img.getHeight();
        int stride = w * 3;
        if (decoded.length < stride * h) {
            decoded = new byte[stride * h];
            decodedView = ByteBuffer.wrap(decoded);
        }
        // Gray pictures arrive with their stored values, replicated into B, G and R (not getRGB's brightened ones).
        BufferedImagePixels.copy(img, PixelFormat.BGR24, decoded, 0, stride);
        FrameCopy.copy(decodedView, stride, into.ensureCapacity(stride * h), stride, w, h, 3, flip);
        into.describe(w, h, stride, PixelFormat.BGR24);
        into.stamp(index, index * 1_000_000L, System.currentTimeMillis(), System.nanoTime() - t0);
        index++;
        return true;
    }

    @Override
    public void rewind() {
        next = 0;
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public double frameRate() {
        return 1;
    }

    @Override
    public String description() {
        return uri.toString();
    }

    @Override
    public void close() {
        next = files.size();
    }
}
