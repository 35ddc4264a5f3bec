package io.edgekd.examples;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Classifies image files with an edgekd model and prints the top classes of each:
 *
 * <pre>
 *   java -cp ... io.edgekd.examples.ClassifyImages student.onnx photo1.jpg photo2.png
 *   photo1.jpg: Sneaker 0.9412, Sandal 0.0431, Ankle boot 0.0101   (0.084 ms)
 * </pre>
 *
 * Each picture is decoded into packed BGR bytes, the way a camera delivers frames, and handed to
 * {@link EdgeClassifier#classify(byte[], int, int, PixelFormat, Classification)}, which resizes it and converts
 * it to what the model takes. The classifier and the result object are made once and reused for every picture.
 */
public final class ClassifyImages {
    private ClassifyImages() {
    }

    /**
     * @param args the model, then image files
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * @param out  where results go
     * @param err  where errors go
     * @param args the model, then image files
     * @return 0 when every image was classified, 1 when some could not be read, 2 on bad arguments or model
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length < 2) {
            err.println("usage: ClassifyImages MODEL.onnx IMAGE...");
            return 2;
        }
        int failed = 0;
        try (EdgeClassifier classifier = EdgeClassifier.open(Path.of(args[0]), EdgeOptions.defaults())) {
            Classification top = classifier.newResult(Math.min(3, classifier.labels().size()));
            for (int i = 1; i < args.length; i++) {
                byte[] bgr;
                int w;
                int h;
                try {
                    BufferedImage img = ImageIO.read(Path.of(args[i]).toFile());
                    if (img == null) {
                        throw new IOException("not an image javax.imageio can decode");
                    }
                    w = img.getWidth();
                    h = img.getHeight();
                    bgr = toBgr(img);
                } catch (IOException e) {
                    err.println(args[i] + ": " + e.getMessage());
                    failed++;
                    continue;
                }
                long t0 = System.nanoTime();
                classifier.classify(bgr, w, h, PixelFormat.BGR24, top);
                double ms = (System.nanoTime() - t0) / 1e6;
                StringBuilder line = new StringBuilder(args[i]).append(':');
                for (int k = 0; k < top.size(); k++) {
                    line.append(k == 0 ? " " : ", ").append(top.label(k)).append(' ')
                            .append(String.format(Locale.ROOT, "%.4f", top.probability(k)));
                }
                out.println(line.append(String.format(Locale.ROOT, "   (%.3f ms)", ms)));
            }
        } catch (EdgeModelException e) {
            err.println(e.getMessage());
            return 2;
        }
        return failed == 0 ? 0 : 1;
    }

    private static byte[] toBgr(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] bgr = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                bgr[p] = (byte) row[x];
                bgr[p + 1] = (byte) (row[x] >> 8);
                bgr[p + 2] = (byte) (row[x] >> 16);
            }
        }
        return bgr;
    }
}
