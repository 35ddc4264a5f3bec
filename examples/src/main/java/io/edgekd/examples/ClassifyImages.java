package io.edgekd.examples;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.BufferedImagePixels;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.examples.report.ConfusionChart;
import io.edgekd.examples.source.ImageFolderSource;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Classifies picture files and folders with an edgekd model:
 *
 * <pre>
 *   java -cp edgekd-camera.jar io.edgekd.examples.ClassifyImages student.onnx photo1.jpg photos/ [--top 3] [--report DIR]
 *   photo1.jpg: Sneaker 0.9412, Sandal 0.0431, Ankle boot 0.0101   (0.084 ms)
 * </pre>
 *
 * A folder of pictures is classified picture by picture. A <em>labelled</em> folder, one subfolder per class
 * named after the model's labels (case and punctuation ignored, so {@code t-shirt_top} matches
 * {@code T-shirt/top}), is evaluated instead: accuracy, log loss ({@code -(1/n) Σ log p_true}) and the confusion
 * matrix, also as {@code confusion.png} and {@code report.txt} in {@code --report DIR}.
 *
 * <p>Each picture is decoded into packed BGR bytes, the way a camera delivers frames (a gray picture into GRAY8
 * bytes, its stored values: {@link BufferedImagePixels}), and handed to
 * {@link EdgeClassifier#classify(byte[], int, int, PixelFormat, Classification)}; the classifier and the result
 * object are made once. Pictures that cannot be read are listed on stderr with the reason, and make the exit
 * status 1; 0 means every picture was classified; 2 is a bad command line or model.
 *
 * <p>Thread safety: a program; {@link #run} may be called from several threads with separate streams.
 */
public final class ClassifyImages {
    private ClassifyImages() {
    }

    /**
     * @param args the model, then files and folders, and options
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** The pictures of one labelled class folder. */
    private record LabelledClass(int label, List<Path> pictures) {
    }

    /**
     * @param out  where results go
     * @param err  where errors go
     * @param args the model, then files and folders; {@code --top K}, {@code --report DIR}
     * @return 0 when every picture was classified, 1 when some could not be read, 2 on bad arguments or model
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        List<String> paths = new ArrayList<>();
        Path report = null;
        int k = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--report" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, "--report: expected a folder");
                    }
                    report = Path.of(args[++i]);
                }
                case "--top" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("\\d+") || Integer.parseInt(args[i + 1]) < 1) {
                        return usage(err, "--top: expected a number from 1");
                    }
                    k = Integer.parseInt(args[++i]);
                }
                default -> paths.add(args[i]);
            }
        }
        if (paths.size() < 2) {
            return usage(err, null);
        }
        int failed = 0;
        try (EdgeClassifier classifier = EdgeClassifier.open(Path.of(paths.get(0)), EdgeOptions.defaults())) {
            Classification top = classifier.newResult(Math.min(k, classifier.labels().size()));
            for (String arg : paths.subList(1, paths.size())) {
                Path p = Path.of(arg);
                if (!Files.exists(p)) {
                    err.println(arg + ": no such file or folder");
                    failed++;
                } else if (Files.isDirectory(p)) {
                    List<LabelledClass> classes;
                    try {
                        classes = labelledClasses(p, classifier.labels());
                    } catch (IOException e) {
                        err.println(arg + ": cannot list the folder: " + e.getMessage());
                        failed++;
                        continue;
                    } catch (IllegalArgumentException e) {
                        err.println(arg + ": " + e.getMessage());
                        failed++;
                        continue;
                    }
                    if (classes != null) {
                        failed += evaluate(classifier, top, p, classes, report, out, err);
                    } else {
                        List<Path> pictures;
                        try (Stream<Path> s = Files.list(p)) {
                            pictures = s.filter(Files::isRegularFile).sorted().toList();
                        } catch (IOException e) {
                            err.println(arg + ": cannot list the folder: " + e.getMessage());
                            failed++;
                            continue;
                        }
                        if (pictures.isEmpty()) {
                            err.println(arg + ": the folder holds no pictures");
                            failed++;
                        }
                        for (Path picture : pictures) {
                            failed += classifyOne(classifier, top, picture, out, err);
                        }
                    }
                } else {
                    failed += classifyOne(classifier, top, p, out, err);
                }
            }
        } catch (EdgeModelException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (failed > 0) {
            err.println(failed + (failed == 1 ? " picture" : " pictures") + " could not be read");
        }
        return failed == 0 ? 0 : 1;
    }

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println("ClassifyImages: " + problem);
        }
        err.println("usage: ClassifyImages MODEL.onnx (IMAGE | FOLDER | LABELLED_FOLDER)... [--top K] [--report DIR]");
        return 2;
    }

    private static int classifyOne(EdgeClassifier classifier, Classification top, Path file, PrintStream out, PrintStream err) {
        Decoded d;
        try {
            d = decode(file);
        } catch (IOException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        }
        long t0 = System.nanoTime();
        classifier.classify(d.pixels(), d.width(), d.height(), d.format(), top);
        double ms = (System.nanoTime() - t0) / 1e6;
        StringBuilder line = new StringBuilder(file.toString()).append(':');
        for (int i = 0; i < top.size(); i++) {
            line.append(i == 0 ? " " : ", ").append(top.label(i)).append(' ')
                    .append(String.format(Locale.ROOT, "%.4f", top.probability(i)));
        }
        out.println(line.append(String.format(Locale.ROOT, "   (%.3f ms)", ms)));
        return 0;
    }

    /** @return the class folders, or null when the folder is not labelled (it has no subfolders) */
    private static List<LabelledClass> labelledClasses(Path dir, List<String> labels) throws IOException {
        List<Path> subfolders;
        try (Stream<Path> s = Files.list(dir)) {
            subfolders = s.filter(Files::isDirectory).sorted().toList();
        }
        if (subfolders.isEmpty()) {
            return null;
        }
        List<LabelledClass> classes = new ArrayList<>();
        for (Path sub : subfolders) {
            String name = normalise(sub.getFileName().toString());
            int label = -1;
            for (int i = 0; i < labels.size(); i++) {
                if (normalise(labels.get(i)).equals(name)) {
                    label = i;
                }
            }
            if (label < 0) {
                throw new IllegalArgumentException("expected one subfolder per class named after the model's labels " + labels
                        + ", found '" + sub.getFileName() + "'");
            }
            List<Path> pictures;
            try (Stream<Path> s = Files.list(sub)) {
                pictures = s.filter(Files::isRegularFile).sorted().toList();
            }
            classes.add(new LabelledClass(label, pictures));
        }
        return classes;
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }

    private static int evaluate(EdgeClassifier classifier, Classification top, Path dir, List<LabelledClass> classes, Path report,
                                PrintStream out, PrintStream err) {
        Evaluation eval = new Evaluation(classifier.labels());
        int failed = 0;
        long nanos = 0;
        for (LabelledClass c : classes) {
            for (Path picture : c.pictures()) {
                Decoded d;
                try {
                    d = decode(picture);
                } catch (IOException e) {
                    err.println(picture + ": " + e.getMessage());
                    failed++;
                    continue;
                }
                long t0 = System.nanoTime();
                classifier.classify(d.pixels(), d.width(), d.height(), d.format(), top);
                nanos += System.nanoTime() - t0;
                eval.add(c.label(), classifier.runner().probabilities(), 0);
            }
        }
        if (eval.count() == 0) {
            err.println(dir + ": no picture in the class folders could be classified");
            return Math.max(1, failed);
        }
        String text = String.format(Locale.ROOT, "%s: %d pictures in %d classes: accuracy %.4f, log loss %.4f, %.3f ms per picture%n%s",
                dir, eval.count(), classes.size(), eval.accuracy(), eval.logLoss(), nanos / 1e6 / eval.count(), eval.confusion().toTable());
        out.print(text);
        if (report != null) {
            try {
                Files.createDirectories(report);
                ConfusionChart.write(eval.confusion(), dir.getFileName().toString(), report.resolve("confusion.png"));
                AtomicFiles.writeString(report.resolve("report.txt"), text);
                out.println("report: " + report.resolve("confusion.png") + ", " + report.resolve("report.txt"));
            } catch (IOException e) {
                err.println("--report " + report + ": " + e.getMessage());
                failed++;
            }
        }
        return failed;
    }

    /** A decoded picture: packed BGR24, or GRAY8 for gray pictures. */
    private record Decoded(byte[] pixels, int width, int height, PixelFormat format) {
    }

    private static Decoded decode(Path file) throws IOException {
        if (!ImageFolderSource.isPicture(file) && !Files.isRegularFile(file)) {
            throw new IOException("not a regular file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot be read: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException("not a picture javax.imageio can decode (PNG, JPEG, BMP, GIF)");
        }
        // Gray pictures keep their stored values: getRGB would brighten them (BufferedImagePixels says why).
        PixelFormat format = BufferedImagePixels.isGray(img) ? PixelFormat.GRAY8 : PixelFormat.BGR24;
        int stride = img.getWidth() * format.bytesPerPixel();
        byte[] pixels = new byte[stride * img.getHeight()];
        BufferedImagePixels.copy(img, format, pixels, 0, stride);
        return new Decoded(pixels, img.getWidth(), img.getHeight(), format);
    }
}
