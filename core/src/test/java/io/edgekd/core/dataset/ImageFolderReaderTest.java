package io.edgekd.core.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderReaderTest {
    @TempDir
    Path root;

    private static void solid(Path file, int w, int h, int rgb, String format) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }

    private static void gray(Path file, int w, int h, int value) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    @Test
    void readsClassFoldersOfMixedSizesAndFormats() throws Exception {
        solid(root.resolve("cat/a.png"), 40, 30, 0xFF0000, "png");
        solid(root.resolve("cat/b.JPG"), 17, 51, 0xFF0000, "jpg");
        solid(root.resolve("dog/c.bmp"), 8, 8, 0x0000FF, "bmp");
        gray(root.resolve("dog/d.png"), 9, 5, 77);
        Files.writeString(root.resolve("dog/notes.txt"), "ignored");
        Files.createDirectories(root.resolve(".hidden"));

        ImageFolderReader.Result colour = ImageFolderReader.builder().size(12, 10).channels(3).build().read(root);
        ImageDataset ds = colour.dataset();
        assertEquals(List.of("cat", "dog"), ds.classes());
        assertEquals(4, ds.size());
        assertEquals(12, ds.width());
        assertEquals(10, ds.height());
        assertEquals(0, colour.skipped().size());
        assertEquals(255, ds.pixel(0, 5, 5, 0));
        assertEquals(0, ds.pixel(0, 5, 5, 2));
        assertTrue(ds.pixel(1, 5, 5, 0) > 240, "JPEG red stays red");
        assertEquals(255, ds.pixel(2, 3, 3, 2));
        assertEquals(77, ds.pixel(3, 3, 3, 1), "gray PNG values are read without colour conversion");
        assertEquals(1, ds.label(3));

        ImageDataset g = ImageFolderReader.builder().size(6, 6).channels(1).build().read(root).dataset();
        assertEquals(1, g.channels());
        assertEquals(Math.round(0.299 * 255), g.pixel(0, 2, 2, 0), 1.0);
        assertEquals(77, g.pixel(3, 2, 2, 0));
    }

    @Test
    void corruptImagesAreCountedSkipsOrStrictErrors() throws Exception {
        solid(root.resolve("a/ok.png"), 8, 8, 0x00FF00, "png");
        solid(root.resolve("b/ok.png"), 8, 8, 0x00FF00, "png");
        Files.write(root.resolve("b/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        Files.write(root.resolve("b/random.png"), new byte[] {1, 2, 3, 4, 5});
        byte[] png = Files.readAllBytes(root.resolve("a/ok.png"));
        Files.write(root.resolve("a/truncated.png"), Arrays.copyOf(png, png.length / 2));

        ImageFolderReader.Result r = ImageFolderReader.builder().size(4, 4).channels(3).build().read(root);
        assertEquals(2, r.dataset().size());
        assertEquals(3, r.skipped().size(), r.skipped().toString());
        for (ImageFolderReader.Skipped s : r.skipped()) {
            assertTrue(!s.reason().isBlank(), s.toString());
        }
        DatasetException strict = assertThrows(DatasetException.class,
                () -> ImageFolderReader.builder().size(4, 4).channels(3).strict(true).build().read(root));
        assertTrue(strict.getMessage().contains("cannot decode image"), strict.getMessage());
    }

    @Test
    void classWithOnlyBrokenImagesIsAnError() throws Exception {
        solid(root.resolve("a/ok.png"), 8, 8, 0x00FF00, "png");
        Files.createDirectories(root.resolve("b"));
        Files.write(root.resolve("b/x.png"), new byte[] {9, 9, 9});
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageFolderReader.builder().size(4, 4).channels(1).build().read(root));
        assertTrue(e.getMessage().contains("class 'b'") && e.getMessage().contains("x.png"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsAnError() throws Exception {
        solid(root.resolve("a/ok.png"), 8, 8, 0x00FF00, "png");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("empty/readme.txt"), "no images here");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageFolderReader.builder().size(4, 4).channels(1).build().read(root));
        assertTrue(e.getMessage().contains("'empty' is empty"), e.getMessage());
    }

    @Test
    void missingOrWrongRootIsAnError() throws Exception {
        ImageFolderReader reader = ImageFolderReader.builder().size(4, 4).channels(1).build();
        DatasetException missing = assertThrows(DatasetException.class, () -> reader.read(root.resolve("nope")));
        assertTrue(missing.getMessage().contains("found nothing"), missing.getMessage());
        Path file = Files.writeString(root.resolve("file"), "x");
        DatasetException notDir = assertThrows(DatasetException.class, () -> reader.read(file));
        assertTrue(notDir.getMessage().contains("found a file"), notDir.getMessage());
        DatasetException noClasses = assertThrows(DatasetException.class, () -> reader.read(root));
        assertTrue(noClasses.getMessage().contains("no subfolders"), noClasses.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageFolderReader.builder().size(4, 4).channels(2).build());
        assertThrows(IllegalArgumentException.class, () -> ImageFolderReader.builder().channels(1).build());
    }

    @Test
    void reportsProgress() throws Exception {
        for (int i = 0; i < 5; i++) {
            solid(root.resolve("c" + (i % 2) + "/" + i + ".png"), 8, 8, 0x123456, "png");
        }
        long[] last = new long[2];
        ImageFolderReader.builder().size(4, 4).channels(1)
                .progress((done, total) -> {
                    synchronized (last) {
                        last[0] = Math.max(last[0], done);
                        last[1] = total;
                    }
                })
                .build().read(root);
        assertEquals(5, last[0]);
        assertEquals(5, last[1]);
    }
}
