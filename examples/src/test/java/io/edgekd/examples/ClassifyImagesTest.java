package io.edgekd.examples;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.metrics.LogLoss;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifyImagesTest {
    @TempDir
    Path dir;

    @Test
    void classifiesPicturesAndReportsUnreadableOnes() throws Exception {
        ModelSpec spec = ModelSpec.builder().labels(List.of("a", "b", "c", "d")).input(3, 16, 16).pixelOrder(PixelOrder.RGB).build();
        Path model = new TestModels(spec, 4).write(dir, "m.onnx");
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
            }
        }
        Path png = dir.resolve("p.png");
        ImageIO.write(img, "png", png.toFile());
        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {1, 2, 3});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ClassifyImages.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                model.toString(), png.toString(), broken.toString());
        assertEquals(1, rc);
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith(png + ": ") && o.contains(" ms)"), o);
        assertEquals(3, o.split(",").length, o);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("broken.jpg"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, ClassifyImages.run(new PrintStream(out), new PrintStream(err), dir.resolve("none.onnx").toString(), png.toString()));
        assertEquals(2, ClassifyImages.run(new PrintStream(out), new PrintStream(err), model.toString()));
    }

    /**
     * A gray PNG (Fashion-MNIST's kind) is classified on the values stored in it: the same classes and
     * probabilities as {@code classify} on those bytes as GRAY8, printed to 4 decimals.
     */
    @Test
    void aGrayPictureIsClassifiedOnItsStoredValues() throws Exception {
        ModelSpec spec = ModelSpec.builder().labels(List.of("a", "b", "c", "d", "e")).input(1, 28, 28).pixelOrder(PixelOrder.GRAY).build();
        Path model = new TestModels(spec, 5).write(dir, "gray.onnx");
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raw = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                // Mid-grey values such as 110, which getRGB would return as 175.
                int v = x < 14 ? 110 : (x * 9 + y * 5) & 0xff;
                img.getRaster().setSample(x, y, 0, v);
                raw[y * 28 + x] = (byte) v;
            }
        }
        Path png = dir.resolve("gray.png");
        ImageIO.write(img, "png", png.toFile());
        String expected;
        try (EdgeClassifier c = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            Classification top = c.newResult(5);
            c.classify(raw, 28, 28, PixelFormat.GRAY8, top);
            StringBuilder line = new StringBuilder(png + ":");
            for (int i = 0; i < top.size(); i++) {
                line.append(i == 0 ? " " : ", ").append(top.label(i)).append(' ').append(String.format(Locale.ROOT, "%.4f", top.probability(i)));
            }
            expected = line.toString();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ClassifyImages.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                model.toString(), png.toString(), "--top", "5");
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(expected, o.substring(0, o.indexOf("   (")));
    }

    private static BufferedImage picture(int i) {
        BufferedImage img = new BufferedImage(24 + i % 5, 20 + i % 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, ((x * (i + 3) * 5) & 0xff) << 16 | ((y * (7 - i % 7) * 9) & 0xff) << 8 | ((i * 37) & 0xff));
            }
        }
        return img;
    }

    private static byte[] bgr(BufferedImage img) {
        byte[] b = new byte[img.getWidth() * img.getHeight() * 3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int p = (y * img.getWidth() + x) * 3;
                b[p] = (byte) rgb;
                b[p + 1] = (byte) (rgb >> 8);
                b[p + 2] = (byte) (rgb >> 16);
            }
        }
        return b;
    }

    @Test
    void aLabelledFolderGetsAccuracyLogLossAndAConfusionPicture() throws Exception {
        List<String> labels = List.of("T-shirt/top", "Trouser", "Bag", "Ankle boot");
        ModelSpec spec = ModelSpec.builder().labels(labels).input(3, 16, 16).pixelOrder(PixelOrder.RGB).build();
        Path model = new TestModels(spec, 11).write(dir, "m.onnx");
        Path data = dir.resolve("labelled");
        String[] folders = {"t-shirt_top", "Trouser", "bag", "ankle-boot"};
        int n = 24;
        int correct = 0;
        double logLoss = 0;
        try (EdgeClassifier c = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            Classification top = c.newResult(1);
            for (int i = 0; i < n; i++) {
                int truth = i % 4;
                Path f = Files.createDirectories(data.resolve(folders[truth])).resolve(String.format(Locale.ROOT, "%03d.png", i));
                BufferedImage img = picture(i);
                ImageIO.write(img, "png", f.toFile());
                c.classify(bgr(img), img.getWidth(), img.getHeight(), PixelFormat.BGR24, top);
                correct += top.index(0) == truth ? 1 : 0;
                logLoss += LogLoss.term(c.runner().probabilities().get(truth));
            }
        }
        Files.write(data.resolve("bag").resolve("zz-broken.png"), new byte[] {9, 9, 9});
        Path report = dir.resolve("report");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ClassifyImages.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                model.toString(), data.toString(), "--report", report.toString());
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, rc, e);
        assertTrue(e.contains("zz-broken.png: not a picture"), e);
        assertTrue(o.contains(String.format(Locale.ROOT, "%d pictures in 4 classes: accuracy %.4f, log loss %.4f", n, correct / (double) n, logLoss / n)), o);
        assertTrue(o.contains("0 T-shirt/top"), o);
        BufferedImage png = ImageIO.read(report.resolve("confusion.png").toFile());
        assertTrue(png.getWidth() > 200 && png.getHeight() > 200);
        assertTrue(Files.readString(report.resolve("report.txt")).contains("accuracy"));

        // A plain folder: one line per picture; a subfolder that names no class is refused with the labels.
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        assertEquals(0, ClassifyImages.run(new PrintStream(plain, true, StandardCharsets.UTF_8), new PrintStream(err), model.toString(),
                data.resolve("trouser".equals(folders[1]) ? "x" : "Trouser").toString()));
        assertEquals(6, plain.toString(StandardCharsets.UTF_8).lines().count());
        Files.createDirectories(data.resolve("cats"));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(1, ClassifyImages.run(new PrintStream(out), new PrintStream(err2, true, StandardCharsets.UTF_8), model.toString(), data.toString()));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("found 'cats'"), err2.toString(StandardCharsets.UTF_8));
    }
}
