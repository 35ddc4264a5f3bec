package io.edgekd.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two prediction logs of the camera demo ({@code --log FILE}, one JSON object per frame), a reference
 * (usually x86_64) and a candidate (usually an emulated ARM CPU), written on the same input with {@code --top}
 * as large as the model's class count: the same frames in the same order, the same top-1 label on every frame,
 * and every class's probability within a tolerance.
 *
 * <pre>
 *   java -cp ... io.edgekd.platform.PredictionLogComparison camera-x86_64.jsonl camera-cortex-a72.jsonl 1e-5
 *   camera-cortex-a72.jsonl vs camera-x86_64.jsonl: 40 frames x 10 classes, max |dp| 1.00e-06 (frame 7, Shirt),
 *   top-1 identical: OK (tolerance 1e-05)
 * </pre>
 *
 * <p>The log prints probabilities with 6 decimals, so two runs with equal floats may still differ by up to 1e-6
 * in the file: a tolerance below that is meaningless. Labels are matched by name. Thread safety: stateless.
 */
public final class PredictionLogComparison {
    private static final Pattern FRAME = Pattern.compile("^\\{\"frame\":(\\d+),");
    private static final Pattern ENTRY = Pattern.compile("\\{\"label\":\"((?:[^\"\\\\]|\\\\.)*)\",\"p\":([^}]+)}");

    private PredictionLogComparison() {
    }

    /** One log read back: per line, the frame number and the probabilities in the order of {@code labels}. */
    record Log(List<String> labels, long[] frames, int[] top1, double[][] probabilities) {
    }

    /** What a comparison found. Immutable. */
    record Result(int frames, List<String> labels, double maxDifference, long worstFrame, String worstLabel,
                  List<Long> top1Differences, double tolerance) implements ComparisonCommand.Outcome {
        public boolean passed() {
            return maxDifference <= tolerance && top1Differences.isEmpty();
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d frames x %d classes, max |dp| %.2e (frame %d, %s), %s: %s (tolerance %.0e)",
                    frames, labels.size(), maxDifference, worstFrame, worstLabel,
                    top1Differences.isEmpty() ? "top-1 identical"
                            : "top-1 differs on " + top1Differences.size() + " frames, first " + top1Differences.subList(0, Math.min(5, top1Differences.size())),
                    passed() ? "OK" : "FAILED", tolerance);
        }
    }

    /**
     * @param args reference log, candidate log, and optionally the tolerance (default 1e-5)
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * @param out  where the summary goes
     * @param err  where errors go
     * @param args as {@link #main}
     * @return 0 when the logs agree, 1 when they do not, 2 on bad arguments or logs that cannot be compared
     *         (unreadable, empty, not every class on a line, other frames or labels)
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return ComparisonCommand.run("PredictionLogComparison", "REFERENCE.jsonl CANDIDATE.jsonl", out, err, args, (reference, candidate, tolerance) -> {
            Log ref = read(reference, null);
            return compare(ref, read(candidate, ref.labels()), tolerance);
        });
    }

    /**
     * @throws IllegalArgumentException if the logs hold other frames, or the tolerance is not a number >= 0
     */
    static Result compare(Log reference, Log candidate, double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance: expected a number >= 0, found " + tolerance);
        }
        int n = reference.frames().length;
        if (candidate.frames().length != n) {
            throw new IllegalArgumentException("expected logs of the same frames, found " + n + " and " + candidate.frames().length
                    + " lines (a run that stopped early, or dropped frames?)");
        }
        double max = 0;
        long worstFrame = -1;
        String worstLabel = "-";
        List<Long> top1 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long frame = reference.frames()[i];
            if (candidate.frames()[i] != frame) {
                throw new IllegalArgumentException("expected logs of the same frames, found frame " + frame + " and frame "
                        + candidate.frames()[i] + " on line " + (i + 1) + " (dropped frames?)");
            }
            if (reference.top1()[i] != candidate.top1()[i]) {
                top1.add(frame);
            }
            for (int c = 0; c < reference.labels().size(); c++) {
                double d = Math.abs(reference.probabilities()[i][c] - candidate.probabilities()[i][c]);
                // NaN counts as the largest possible difference.
                if (d > max || Double.isNaN(d)) {
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    worstFrame = frame;
                    worstLabel = reference.labels().get(c);
                }
            }
        }
        return new Result(n, reference.labels(), max, worstFrame, worstLabel, List.copyOf(top1), tolerance);
    }

    /**
     * @param file   a log written by the camera demo's {@code --log}
     * @param labels the labels every line must list, or null to take them from the first line
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if it is empty or a line is malformed or lacks a class
     */
    static Log read(Path file, List<String> labels) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected one JSON line per frame, found none");
        }
        List<String> order = labels;
        long[] frames = new long[lines.size()];
        int[] top1 = new int[lines.size()];
        double[][] p = new double[lines.size()][];
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher f = FRAME.matcher(line);
            int topAt = line.indexOf("\"top\":[");
            if (!f.find() || topAt < 0) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + ": expected {\"frame\":N,...,\"top\":[...]}, found '" + line + "'");
            }
            frames[i] = Long.parseLong(f.group(1));
            List<String> names = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            Matcher e = ENTRY.matcher(line.substring(topAt));
            while (e.find()) {
                names.add(e.group(1));
                values.add(Double.parseDouble(e.group(2)));
            }
            if (order == null) {
                order = List.copyOf(names);
            }
            if (names.size() != order.size() || !names.containsAll(order)) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " (frame " + frames[i] + "): expected every class "
                        + order + " (run the demo with --top " + order.size() + "), found " + names);
            }
            p[i] = new double[order.size()];
            for (int k = 0; k < names.size(); k++) {
                p[i][order.indexOf(names.get(k))] = values.get(k);
            }
            top1[i] = order.indexOf(names.get(0));
        }
        return new Log(order, frames, top1, p);
    }
}
