package io.edgekd.core.dataset;

import io.edgekd.core.image.BufferedImagePixels;
import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.ResizeMode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reads a folder with one subfolder per class (the layout of Kaggle's Dogs vs. Cats and of most labelled
 * photo collections) into an {@link ImageDataset}, decoding PNG, JPEG, BMP and GIF with {@code javax.imageio}
 * and resizing each image on load to the requested size with the same bilinear resampling the edge runtime
 * applies to camera frames ({@link FramePreprocessor}).
 *
 * <pre>{@code
 * ImageFolderReader.Result r = ImageFolderReader.builder().size(64, 64).channels(3).build().read(Path.of("PetImages"));
 * System.out.println(r.dataset() + ", skipped " + r.skipped().size());
 * }</pre>
 *
 * <p>Class names are the subfolder names in sorted order; hidden entries and files without an image
 * extension ({@code .png .jpg .jpeg .bmp .gif}) are ignored. Errors:
 * <ul>
 *   <li>a missing root, a root that is not a folder, a root without class folders, or a class folder with no
 *       image files: {@link DatasetException};</li>
 *   <li>an image file that cannot be decoded (corrupt, truncated, an unsupported variant): a <em>counted
 *       skip</em> by default, listed in {@link Result#skipped()} with the reason, because real collections
 *       carry a few broken files (Dogs vs. Cats does) and one should not cost the whole load. With
 *       {@link Builder#strict(boolean) strict(true)} it is a {@link DatasetException} instead. A class whose
 *       every image was skipped is always an error.</li>
 * </ul>
 *
 * <p>Thread safety: a reader is immutable and may be shared; {@link #read(Path)} decodes on the common
 * fork-join pool.
 */
public final class ImageFolderReader {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private final int width;
    private final int height;
    private final int channels;
    private final boolean strict;
    private final ProgressListener progress;

    private ImageFolderReader(Builder b) {
        this.width = b.width;
        this.height = b.height;
        this.channels = b.channels;
        this.strict = b.strict;
        this.progress = b.progress;
    }

    /** @return a builder; size and channels have no default */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An image file that was not loaded.
     *
     * @param file   the file
     * @param reason why
     */
    public record Skipped(Path file, String reason) {
    }

    /**
     * What a read produced.
     *
     * @param dataset the images that loaded
     * @param skipped the files that did not, with reasons
     */
    public record Result(ImageDataset dataset, List<Skipped> skipped) {
    }

    /**
     * @param root folder with one subfolder per class
     * @return the dataset and the skipped files
     * @throws DatasetException as the class comment says
     */
    public Result read(Path root) throws DatasetException {
        Objects.requireNonNull(root, "root");
        if (!Files.exists(root)) {
            throw new DatasetException(root + ": expected a folder with one subfolder per class, found nothing at that path");
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": expected a folder with one subfolder per class, found a file");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> fileLabels = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> classDirs = dirs.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
            if (classDirs.isEmpty()) {
                throw new DatasetException(root + ": expected one subfolder per class, found no subfolders");
            }
            for (Path dir : classDirs) {
                List<Path> images;
                try (Stream<Path> entries = Files.list(dir)) {
                    images = entries.filter(Files::isRegularFile).filter(ImageFolderReader::isImageName).sorted().toList();
                }
                if (images.isEmpty()) {
                    throw new DatasetException(dir + ": class folder '" + dir.getFileName()
                            + "' is empty: expected at least one image file " + EXTENSIONS + ", found none");
                }
                int label = classes.size();
                classes.add(dir.getFileName().toString());
                for (Path f : images) {
                    files.add(f);
                    fileLabels.add(label);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(root + ": cannot list: " + e, e);
        }

        int n = files.size();
        byte[][] pixels = new byte[n][];
        String[] failures = new String[n];
        AtomicLong done = new AtomicLong();
        ThreadLocal<FramePreprocessor> resizer = ThreadLocal.withInitial(() -> new FramePreprocessor(channels, height, width,
                channels == 1 ? PixelOrder.GRAY : PixelOrder.RGB, Normalization.unit(channels), ResizeMode.STRETCH));
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                pixels[i] = decode(files.get(i), resizer.get());
            } catch (IOException | RuntimeException e) {
                failures[i] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            progress.progress(done.incrementAndGet(), n);
        });

        List<Skipped> skipped = new ArrayList<>();
        List<byte[]> kept = new ArrayList<>();
        List<Integer> keptLabels = new ArrayList<>();
        int[] perClass = new int[classes.size()];
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) {
                if (strict) {
                    throw new DatasetException(files.get(i) + ": cannot decode image: " + failures[i]);
                }
                skipped.add(new Skipped(files.get(i), failures[i]));
            } else {
                kept.add(pixels[i]);
                keptLabels.add(fileLabels.get(i));
                perClass[fileLabels.get(i)]++;
            }
        }
        for (int c = 0; c < perClass.length; c++) {
            if (perClass[c] == 0) {
                String cls = classes.get(c);
                String first = skipped.stream().filter(s -> s.file().getParent().getFileName().toString().equals(cls))
                        .findFirst().map(s -> s.file().getFileName() + ": " + s.reason()).orElse("?");
                throw new DatasetException(root.resolve(cls) + ": expected at least one readable image in class '"
                        + cls + "', found none (every file failed to decode; first: " + first + ")");
            }
        }
        int[] labels = keptLabels.stream().mapToInt(Integer::intValue).toArray();
        ImageDataset ds = ImageDataset.of(width, height, channels, classes, kept.toArray(new byte[0][]), labels, root.toString());
        return new Result(ds, List.copyOf(skipped));
    }

    private byte[] decode(Path file, FramePreprocessor resizer) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException("no decoder recognises the content (not an image, or an unsupported format)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        // Gray pictures keep their stored values (BufferedImagePixels says why getRGB would not).
        PixelFormat format = BufferedImagePixels.isGray(img) ? PixelFormat.GRAY8 : PixelFormat.RGB24;
        byte[] packed = new byte[w * h * format.bytesPerPixel()];
        BufferedImagePixels.copy(img, format, packed, 0, w * format.bytesPerPixel());
        byte[] out = new byte[width * height * channels];
        resizer.toUint8Nhwc(packed, 0, w, h, w * format.bytesPerPixel(), format, out, 0);
        return out;
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Configures an {@link ImageFolderReader}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private int width;
        private int height;
        private int channels;
        private boolean strict;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        /** @param width target width @param height target height @return this */
        public Builder size(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        /** @param channels 1 (gray, BT.601 luma) or 3 (RGB) @return this */
        public Builder channels(int channels) {
            this.channels = channels;
            return this;
        }

        /** @param strict true to fail on the first undecodable image instead of skipping it @return this */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** @param progress receives (images decoded, total) @return this */
        public Builder progress(ProgressListener progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** @return the reader @throws IllegalArgumentException if size or channels are unset or invalid */
        public ImageFolderReader build() {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("size: expected positive width and height, found " + width + "x" + height);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels: expected 1 or 3, found " + channels);
            }
            return new ImageFolderReader(this);
        }
    }
}
