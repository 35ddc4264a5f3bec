package io.edgekd.core.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFilesTest {
    @TempDir
    Path dir;

    private static byte[] imagesFile(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(0x803).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    private static byte[] labelsFile(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x801).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void readsRawAndGzipAlike() throws Exception {
        Path raw = Files.write(dir.resolve("img"), imagesFile(3, 2, 4));
        Path gz = Files.write(dir.resolve("img.gz"), gzip(imagesFile(3, 2, 4)));
        Path labels = Files.write(dir.resolve("lab.gz"), gzip(labelsFile(2, 0, 1)));
        IdxFiles.Images a = IdxFiles.readImages(raw);
        IdxFiles.Images b = IdxFiles.readImages(gz);
        assertEquals(2, a.rows());
        assertEquals(4, a.cols());
        assertArrayEquals(a.images()[2], b.images()[2]);
        assertEquals((byte) (8 * 7), a.images()[1][0]);
        ImageDataset ds = IdxFiles.load(gz, labels, List.of("x", "y", "z"));
        assertEquals(3, ds.size());
        assertEquals(4, ds.width());
        assertEquals(2, ds.height());
        assertEquals(2, ds.label(0));
        assertEquals(((9 * 7) & 0xFF), ds.pixel(1, 0, 1, 0));
    }

    @Test
    void writeThenReadRoundTrips() throws Exception {
        ImageDataset ds = SyntheticImages.builder().classes(4).perClass(5).size(9, 11).seed(3).build();
        Path img = dir.resolve("i.gz");
        Path lab = dir.resolve("l");
        IdxFiles.write(ds, img, lab);
        ImageDataset back = IdxFiles.load(img, lab, ds.classes());
        assertEquals(ds.fingerprint(), back.fingerprint());
        byte[] first = Files.readAllBytes(img);
        IdxFiles.write(ds, img, lab);
        assertArrayEquals(first, Files.readAllBytes(img), "equal data must give equal bytes");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files may be left behind");
        }
    }

    @Test
    void truncatedImagesAreReported() throws Exception {
        byte[] full = imagesFile(5, 3, 3);
        Path f = Files.write(dir.resolve("t"), Arrays.copyOf(full, full.length - 4));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.readImages(f));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("expected 45 bytes")
                && e.getMessage().contains("found 41"), e.getMessage());
        Path header = Files.write(dir.resolve("h"), Arrays.copyOf(full, 10));
        DatasetException h = assertThrows(DatasetException.class, () -> IdxFiles.readImages(header));
        assertTrue(h.getMessage().contains("header"), h.getMessage());
        Path gz = Files.write(dir.resolve("t.gz"), Arrays.copyOf(gzip(full), 30));
        DatasetException g = assertThrows(DatasetException.class, () -> IdxFiles.readImages(gz));
        assertTrue(g.getMessage().contains(gz.toString()), g.getMessage());
    }

    @Test
    void truncatedLabelsAreReported() throws Exception {
        byte[] full = labelsFile(1, 2, 3, 4);
        Path f = Files.write(dir.resolve("l"), Arrays.copyOf(full, full.length - 1));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.readLabels(f));
        assertTrue(e.getMessage().contains("expected 4 labels, found 3"), e.getMessage());
    }

    @Test
    void wrongMagicIsReported() throws Exception {
        Path labelsAsImages = Files.write(dir.resolve("l"), labelsFile(1, 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.readImages(labelsAsImages));
        assertTrue(e.getMessage().contains("expected magic number 0x00000803, found 0x00000801"), e.getMessage());
        Path png = Files.write(dir.resolve("p"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        assertThrows(DatasetException.class, () -> IdxFiles.readLabels(png));
    }

    @Test
    void trailingBytesAreReported() throws Exception {
        byte[] full = labelsFile(1, 2);
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        Path f = Files.write(dir.resolve("l"), longer);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.readLabels(f));
        assertTrue(e.getMessage().contains("found more bytes"), e.getMessage());
    }

    @Test
    void countMismatchAndUnknownLabelAreReported() throws Exception {
        Path img = Files.write(dir.resolve("i"), imagesFile(3, 2, 2));
        Path lab = Files.write(dir.resolve("l"), labelsFile(0, 1));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.load(img, lab, List.of("a", "b")));
        assertTrue(e.getMessage().contains("found 3 images") && e.getMessage().contains("2 labels"), e.getMessage());
        Path lab3 = Files.write(dir.resolve("l3"), labelsFile(0, 1, 7));
        DatasetException u = assertThrows(DatasetException.class, () -> IdxFiles.load(img, lab3, List.of("a", "b")));
        assertTrue(u.getMessage().contains("expected 0 to 1") && u.getMessage().contains("found 7"), u.getMessage());
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("nope.gz");
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFiles.readImages(missing));
        assertTrue(e.getMessage().contains("no such file") && e.getMessage().contains("nope.gz"), e.getMessage());
        DatasetException f = assertThrows(DatasetException.class, () -> FashionMnist.load(dir.resolve("none"), FashionMnist.Part.TRAIN));
        assertTrue(f.getMessage().contains("found nothing"), f.getMessage());
        DatasetException g = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Part.TEST));
        assertTrue(g.getMessage().contains("t10k-images-idx3-ubyte.gz"), g.getMessage());
    }
}
