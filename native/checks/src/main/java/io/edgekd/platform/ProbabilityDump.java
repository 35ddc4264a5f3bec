package io.edgekd.platform;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.io.AtomicFiles;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Classifies every image of a Fashion-MNIST test split with an edgekd model and writes every output probability
 * to a text file, one line per image, so that runs on different CPUs can be compared number by number with
 * {@link ProbabilityComparison}:
 *
 * <pre>
 *   java -cp ... io.edgekd.platform.ProbabilityDump student.onnx data/fashion-mnist-sample probs-x86_64.txt
 * </pre>
 *
 * <p>File format: header lines start with {@code #} ({@code # model <sha-256>}, {@code # arch <os.arch>},
 * {@code # cpu <QEMU_CPU or "native">}, {@code # classes <n>}, {@code # images <n>}); then one line per image:
 * its index, its label, the top-1 class, and the n probabilities in class order, each written with
 * {@link Float#toString(float)} (the shortest decimal that reads back to the same float, so nothing is lost).
 *
 * <p>ONNX Runtime runs with one intra-op and one inter-op thread and no spinning: the numbers then depend only on
 * the CPU's kernels, not on how the work is split between threads. The file is written to a temporary name and
 * moved into place. Thread safety: a command-line program; {@link #dump} is stateless.
 */
public final class ProbabilityDump {
    private ProbabilityDump() {
    }

    /**
     * @param args model, folder holding {@code t10k-images-idx3-ubyte[.gz]} and {@code t10k-labels-idx1-ubyte[.gz]},
     *             output file
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * @param out  where the summary line goes
     * @param err  where errors go
     * @param args as {@link #main}
     * @return 0 on success, 2 on bad arguments, an unreadable model or data set, or an unwritable output
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length != 3) {
            err.println("usage: ProbabilityDump MODEL.onnx FASHION_MNIST_DIR OUT.txt (expected 3 arguments, found "
                    + args.length + ")");
            return 2;
        }
        try {
            long t0 = System.nanoTime();
            int n = dump(Path.of(args[0]), FashionMnist.load(Path.of(args[1]), FashionMnist.Part.TEST), Path.of(args[2]));
            out.printf(Locale.ROOT, "%s: %d images on %s (%s) in %.1f s%n", args[2], n, System.getProperty("os.arch"),
                    cpu(), (System.nanoTime() - t0) / 1e9);
            return 0;
        } catch (EdgeModelException | DatasetException | IOException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    /**
     * Classifies every image of {@code test} and writes the dump.
     *
     * @param model the ONNX model
     * @param test  the images
     * @param file  the dump to write
     * @return the number of images
     * @throws EdgeModelException if the model cannot be opened or does not take the images
     * @throws IOException        if the file cannot be written
     */
    public static int dump(Path model, ImageDataset test, Path file) throws EdgeModelException, IOException {
        EdgeOptions options = EdgeOptions.builder().intraOpThreads(1).interOpThreads(1).spinning(false).warmupRuns(0).build();
        try (EdgeClassifier classifier = EdgeClassifier.open(model, options);
             EdgeRunner runner = classifier.newRunner(1)) {
            int classes = classifier.labels().size();
            int w = test.width();
            int h = test.height();
            PixelFormat format = switch (test.channels()) {
                case 1 -> PixelFormat.GRAY8;
                case 3 -> PixelFormat.BGR24;
                default -> throw new IllegalArgumentException("expected images with 1 or 3 channels, found " + test.channels());
            };
            byte[] image = new byte[test.imageBytes()];
            AtomicFiles.write(file, tmp -> {
                try (BufferedWriter wr = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    wr.write("# model " + sha256(model) + "\n");
                    wr.write("# arch " + System.getProperty("os.arch") + "\n");
                    wr.write("# cpu " + cpu() + "\n");
                    wr.write("# classes " + classes + "\n");
                    wr.write("# images " + test.size() + "\n");
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < test.size(); i++) {
                        test.copyImage(i, image, 0);
                        runner.put(0, image, w, h, format);
                        runner.run();
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (runner.probability(0, c) > runner.probability(0, best)) {
                                best = c;
                            }
                        }
                        line.setLength(0);
                        line.append(i).append(' ').append(test.label(i)).append(' ').append(best);
                        for (int c = 0; c < classes; c++) {
                            line.append(' ').append(runner.probability(0, c));
                        }
                        wr.write(line.append('\n').toString());
                    }
                }
            });
            return test.size();
        }
    }

    static String cpu() {
        String qemu = System.getenv("QEMU_CPU");
        return qemu == null || qemu.isBlank() ? "native" : qemu;
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
