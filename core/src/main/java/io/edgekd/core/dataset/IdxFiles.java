package io.edgekd.core.dataset;

import io.edgekd.core.io.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes the IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type
 * byte {@code 0x08} for unsigned bytes, the number of dimensions) followed by the dimension sizes and the
 * data. Images are 3-dimensional ({@code count, rows, cols}), labels 1-dimensional. Files may be gzipped
 * (detected from the content, not the name).
 *
 * <p>Every defect is a {@link DatasetException} naming the file: a missing file, a wrong magic number, a
 * truncated file, trailing bytes, a count mismatch between images and labels, a label outside the class list.
 *
 * <p>Thread safety: stateless.
 */
public final class IdxFiles {
    private static final int TYPE_UBYTE = 0x08;

    private IdxFiles() {
    }

    /**
     * Images of an IDX file.
     *
     * @param rows   image height
     * @param cols   image width
     * @param images one array of {@code rows * cols} bytes per image
     */
    public record Images(int rows, int cols, byte[][] images) {
    }

    /**
     * @param file an {@code idx3-ubyte} file, raw or gzipped
     * @return its images
     * @throws DatasetException if the file is missing, foreign, truncated or has trailing bytes
     */
    public static Images readImages(Path file) throws DatasetException {
        try (InputStream in = open(file)) {
            int[] dims = header(in, file, 3, "images (idx3-ubyte)");
            int count = dims[0];
            int rows = dims[1];
            int cols = dims[2];
            if (rows <= 0 || cols <= 0) {
                throw new DatasetException(file + ": expected positive image dimensions, found " + rows + "x" + cols);
            }
            long total = (long) count * rows * cols;
            byte[][] images = new byte[count][];
            for (int i = 0; i < count; i++) {
                byte[] img = new byte[rows * cols];
                int got = in.readNBytes(img, 0, img.length);
                if (got < img.length) {
                    long found = (long) i * rows * cols + got;
                    throw new DatasetException(file + ": truncated: expected " + total + " bytes of pixel data for "
                            + count + " images of " + rows + "x" + cols + ", found " + found);
                }
                images[i] = img;
            }
            expectEnd(in, file);
            return new Images(rows, cols, images);
        } catch (ZipException e) {
            throw new DatasetException(file + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated: the file ends inside its header", e);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
    }

    /**
     * @param file an {@code idx1-ubyte} file, raw or gzipped
     * @return its labels
     * @throws DatasetException if the file is missing, foreign, truncated or has trailing bytes
     */
    public static int[] readLabels(Path file) throws DatasetException {
        try (InputStream in = open(file)) {
            int[] dims = header(in, file, 1, "labels (idx1-ubyte)");
            int count = dims[0];
            byte[] raw = new byte[count];
            int got = in.readNBytes(raw, 0, count);
            if (got < count) {
                throw new DatasetException(file + ": truncated: expected " + count + " labels, found " + got);
            }
            expectEnd(in, file);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        } catch (ZipException e) {
            throw new DatasetException(file + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated: the file ends inside its header", e);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
    }

    /**
     * Reads an image file and its label file into a gray dataset.
     *
     * @param imagesFile  {@code idx3-ubyte} images
     * @param labelsFile  {@code idx1-ubyte} labels
     * @param classNames  class names, indexed by label value
     * @return the dataset, its source set to the image file's path
     * @throws DatasetException if either file is bad, the counts differ, or a label has no class name
     */
    public static ImageDataset load(Path imagesFile, Path labelsFile, List<String> classNames) throws DatasetException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (images.images().length != labels.length) {
            throw new DatasetException("expected as many labels as images, found " + images.images().length + " images in "
                    + imagesFile + " and " + labels.length + " labels in " + labelsFile);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classNames.size()) {
                throw new DatasetException(labelsFile + ": label " + i + ": expected 0 to " + (classNames.size() - 1)
                        + " (classes " + classNames + "), found " + labels[i]);
            }
        }
        return ImageDataset.of(images.cols(), images.rows(), 1, classNames, images.images(), labels, imagesFile.toString());
    }

    /**
     * Writes a gray dataset as an IDX image file and an IDX label file, each gzipped when its name ends in
     * {@code .gz} (with a zero timestamp, so equal data gives equal bytes). Each file is written to a
     * temporary file in the same folder and moved into place, so a failure never leaves a half-written file.
     *
     * @param dataset    gray images (one channel) with at most 256 classes
     * @param imagesFile destination of the images
     * @param labelsFile destination of the labels
     * @throws IOException if a file cannot be written
     */
    public static void write(ImageDataset dataset, Path imagesFile, Path labelsFile) throws IOException {
        if (dataset.channels() != 1) {
            throw new IllegalArgumentException("channels: IDX holds gray images, expected 1, found " + dataset.channels());
        }
        if (dataset.numClasses() > 256) {
            throw new IllegalArgumentException("classes: IDX labels are bytes, expected at most 256, found " + dataset.numClasses());
        }
        int n = dataset.size();
        writeAtomically(imagesFile, out -> {
            out.writeInt(TYPE_UBYTE << 8 | 3);
            out.writeInt(n);
            out.writeInt(dataset.height());
            out.writeInt(dataset.width());
            byte[] img = new byte[dataset.imageBytes()];
            for (int i = 0; i < n; i++) {
                dataset.copyImage(i, img, 0);
                out.write(img);
            }
        });
        writeAtomically(labelsFile, out -> {
            out.writeInt(TYPE_UBYTE << 8 | 1);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(dataset.label(i));
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                if (file.getFileName().toString().endsWith(".gz")) {
                    // Java writes a fixed gzip header (no name, mtime 0), so equal data gives equal bytes.
                    GZIPOutputStream gz = new GZIPOutputStream(raw, 1 << 16);
                    DataOutputStream out = new DataOutputStream(gz);
                    body.write(out);
                    out.flush();
                    gz.finish();
                } else {
                    DataOutputStream out = new DataOutputStream(raw);
                    body.write(out);
                    out.flush();
                }
            }
        });
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    private static int[] header(InputStream in, Path file, int expectedDims, String what)
            throws IOException, DatasetException {
        int magic = readInt(in);
        int zero = magic >>> 16;
        int type = (magic >>> 8) & 0xFF;
        int dims = magic & 0xFF;
        if (zero != 0 || type != TYPE_UBYTE || dims != expectedDims) {
            throw new DatasetException(file + ": not an IDX file of " + what + ": expected magic number 0x"
                    + String.format("%08x", TYPE_UBYTE << 8 | expectedDims) + ", found 0x" + String.format("%08x", magic));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            sizes[i] = readInt(in);
            if (sizes[i] < 0) {
                throw new DatasetException(file + ": dimension " + i + ": expected a non-negative size, found " + sizes[i]);
            }
        }
        return sizes;
    }

    private static int readInt(InputStream in) throws IOException {
        int a = in.read();
        int b = in.read();
        int c = in.read();
        int d = in.read();
        if ((a | b | c | d) < 0) {
            throw new EOFException();
        }
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    private static void expectEnd(InputStream in, Path file) throws IOException, DatasetException {
        if (in.read() >= 0) {
            throw new DatasetException(file + ": expected the end of the file after the data its header announces, found more bytes");
        }
    }
}
