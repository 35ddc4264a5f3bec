package io.edgekd.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares two dumps written by {@link ProbabilityDump} (a reference, usually x86_64, and a candidate, usually an
 * ARM CPU): the same model, the same images, every probability within a tolerance and the same top-1 class for
 * every image.
 *
 * <pre>
 *   java -cp ... io.edgekd.platform.ProbabilityComparison probs-x86_64.txt probs-cortex-a72.txt 1e-5
 *   probs-cortex-a72.txt vs probs-x86_64.txt: 1000 images x 10 classes, max |dp| 5.96e-08 (image 17, class 6),
 *   top-1 identical: OK (tolerance 1e-05)
 * </pre>
 *
 * <p>The tolerance is absolute, on probabilities in [0, 1]. Different CPUs run different kernels (AVX2 or AVX-512
 * on x86_64, NEON on ARM), so sums are rounded in another order: a few float ULPs of difference are expected and
 * equality is not. Thread safety: stateless.
 */
public final class ProbabilityComparison {
    private ProbabilityComparison() {
    }

    /** What a comparison found: the largest absolute difference, where it is, and the images whose top-1 differs. Immutable. */
    public record Result(int images, int classes, double maxDifference, int worstImage, int worstClass,
                         List<Integer> top1Differences, double tolerance) implements ComparisonCommand.Outcome {
        /** @return whether every probability is within the tolerance and every top-1 class is the same */
        public boolean passed() {
            return maxDifference <= tolerance && top1Differences.isEmpty();
        }

        /** @return one line for a log */
        public String summary() {
            return String.format(Locale.ROOT, "%d images x %d classes, max |dp| %.3g (image %d, class %d), %s: %s (tolerance %.0e)",
                    images, classes, maxDifference, worstImage, worstClass,
                    top1Differences.isEmpty() ? "top-1 identical"
                            : "top-1 differs on " + top1Differences.size() + " images, first " + top1Differences.subList(0, Math.min(5, top1Differences.size())),
                    passed() ? "OK" : "FAILED", tolerance);
        }
    }

    /** A dump read back. */
    record Dump(Map<String, String> header, int[] top1, float[][] probabilities) {
    }

    /**
     * @param args reference dump, candidate dump, and optionally the tolerance (default 1e-5)
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * @param out  where the summary goes
     * @param err  where errors go
     * @param args as {@link #main}
     * @return 0 when the dumps agree, 1 when they do not, 2 on bad arguments or unreadable dumps
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return ComparisonCommand.run("ProbabilityComparison", "REFERENCE.txt CANDIDATE.txt", out, err, args, (reference, candidate, tolerance) -> compare(read(reference), read(candidate), tolerance));
    }

    /**
     * @param reference the reference dump
     * @param candidate the dump to check
     * @param tolerance the largest absolute difference allowed on any probability
     * @return what was found
     * @throws IllegalArgumentException if the dumps are of different models or image sets
     */
    static Result compare(Dump reference, Dump candidate, double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance: expected a number >= 0, found " + tolerance);
        }
        for (String key : List.of("model", "classes", "images")) {
            String a = reference.header().get(key);
            String b = candidate.header().get(key);
            if (a == null || !a.equals(b)) {
                throw new IllegalArgumentException("expected dumps of the same " + key + ", found " + a + " and " + b);
            }
        }
        int n = reference.probabilities().length;
        int classes = Integer.parseInt(reference.header().get("classes"));
        double max = 0;
        int worstImage = -1;
        int worstClass = -1;
        List<Integer> top1 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (reference.top1()[i] != candidate.top1()[i]) {
                top1.add(i);
            }
            for (int c = 0; c < classes; c++) {
                double d = Math.abs((double) reference.probabilities()[i][c] - candidate.probabilities()[i][c]);
                // NaN counts as the largest possible difference.
                if (d > max || Double.isNaN(d)) {
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    worstImage = i;
                    worstClass = c;
                }
            }
        }
        return new Result(n, classes, max, worstImage, worstClass, List.copyOf(top1), tolerance);
    }

    /**
     * Reads a dump written by {@link ProbabilityDump}.
     *
     * @param file the dump
     * @return its header and numbers
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if it is malformed
     */
    static Dump read(Path file) throws IOException {
        Map<String, String> header = new HashMap<>();
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("# ")) {
                int sp = line.indexOf(' ', 2);
                if (sp > 0) {
                    header.put(line.substring(2, sp), line.substring(sp + 1).trim());
                }
            } else if (!line.isBlank()) {
                rows.add(line);
            }
        }
        String classesText = header.get("classes");
        String imagesText = header.get("images");
        if (classesText == null || imagesText == null) {
            throw new IllegalArgumentException(file + ": expected '# classes' and '# images' header lines, found " + header.keySet());
        }
        int classes = Integer.parseInt(classesText);
        int images = Integer.parseInt(imagesText);
        if (rows.size() != images) {
            throw new IllegalArgumentException(file + ": expected " + images + " image lines, found " + rows.size()
                    + " (an interrupted run?)");
        }
        int[] top1 = new int[images];
        float[][] p = new float[images][classes];
        for (int i = 0; i < images; i++) {
            String[] f = rows.get(i).trim().split(" +");
            if (f.length != 3 + classes || Integer.parseInt(f[0]) != i) {
                throw new IllegalArgumentException(file + ": line for image " + i + ": expected 'index label top1' and "
                        + classes + " probabilities, found '" + rows.get(i) + "'");
            }
            top1[i] = Integer.parseInt(f[2]);
            for (int c = 0; c < classes; c++) {
                p[i][c] = Float.parseFloat(f[3 + c]);
            }
        }
        return new Dump(Map.copyOf(header), top1, p);
    }
}
