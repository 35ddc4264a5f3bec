package io.edgekd.core.metrics;

import java.util.List;
import java.util.Locale;

/**
 * Counts of (actual, predicted) class pairs, with accuracy and per-class precision, recall and F1.
 *
 * <p>Conventions: rows are actual classes, columns predicted. A class never predicted has precision 0; a
 * class that never occurs has recall 0 (and F1 0), matching scikit-learn's {@code zero_division=0}.
 *
 * <p>Thread safety: not thread-safe while being filled; merge per-thread matrices with {@link #add(ConfusionMatrix)}.
 */
public final class ConfusionMatrix {
    private final List<String> labels;
    private final long[][] counts;
    private long total;

    /** @param labels class labels, at least one */
    public ConfusionMatrix(List<String> labels) {
        this.labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("labels: expected at least one class, found none");
        }
        this.counts = new long[labels.size()][labels.size()];
    }

    /**
     * @param actual    true class
     * @param predicted predicted class
     */
    public void add(int actual, int predicted) {
        int n = counts.length;
        if (actual < 0 || actual >= n || predicted < 0 || predicted >= n) {
            throw new IllegalArgumentException("class: expected 0 to " + (n - 1) + ", found actual " + actual
                    + " and predicted " + predicted);
        }
        counts[actual][predicted]++;
        total++;
    }

    /** @param other a matrix over the same labels, added into this one */
    public void add(ConfusionMatrix other) {
        if (!other.labels.equals(labels)) {
            throw new IllegalArgumentException("labels: expected " + labels + ", found " + other.labels);
        }
        for (int a = 0; a < counts.length; a++) {
            for (int p = 0; p < counts.length; p++) {
                counts[a][p] += other.counts[a][p];
            }
        }
        total += other.total;
    }

    /** @return class labels */
    public List<String> labels() {
        return labels;
    }

    /** @return number of classes */
    public int numClasses() {
        return counts.length;
    }

    /** @param actual true class @param predicted predicted class @return how often the pair occurred */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** @return number of examples counted */
    public long total() {
        return total;
    }

    /** @return number of correct predictions (the diagonal) */
    public long correct() {
        long c = 0;
        for (int i = 0; i < counts.length; i++) {
            c += counts[i][i];
        }
        return c;
    }

    /** @return correct / total, or NaN when empty */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct() / total;
    }

    /** @param c class @return examples of class {@code c} (row sum) */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    /** @param c class @return predictions of class {@code c} (column sum) */
    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }

    /** @param c class @return TP / (TP + FP), 0 when the class was never predicted */
    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c][c] / p;
    }

    /** @param c class @return TP / (TP + FN), 0 when the class never occurs */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c][c] / s;
    }

    /** @param c class @return harmonic mean of precision and recall, 0 when both are 0 */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** @return unweighted mean of the per-class F1 scores */
    public double macroF1() {
        double s = 0;
        for (int c = 0; c < counts.length; c++) {
            s += f1(c);
        }
        return s / counts.length;
    }

    /** @return a copy of the counts, rows actual, columns predicted */
    public long[][] toArray() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** @return a plain-text table of the counts and per-class precision, recall and F1 */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        int w = 6;
        for (String l : labels) {
            w = Math.max(w, l.length());
        }
        String rowFmt = "%-" + w + "s";
        sb.append(String.format(Locale.ROOT, rowFmt, "actual\\pred"));
        for (int p = 0; p < counts.length; p++) {
            sb.append(String.format(Locale.ROOT, " %6d", p));
        }
        sb.append("  precision recall     f1\n");
        for (int a = 0; a < counts.length; a++) {
            sb.append(String.format(Locale.ROOT, rowFmt, a + " " + labels.get(a)));
            for (int p = 0; p < counts.length; p++) {
                sb.append(String.format(Locale.ROOT, " %6d", counts[a][p]));
            }
            sb.append(String.format(Locale.ROOT, "  %9.4f %6.4f %6.4f%n", precision(a), recall(a), f1(a)));
        }
        return sb.toString();
    }
}
