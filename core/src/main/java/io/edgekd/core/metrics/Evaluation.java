package io.edgekd.core.metrics;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Accumulates predictions against true labels: accuracy, log loss and the confusion matrix in one pass.
 *
 * <pre>{@code
 * Evaluation eval = new Evaluation(labels);
 * for (...) eval.add(trueLabel, probabilities, offset);
 * System.out.printf("accuracy %.4f, log loss %.4f%n", eval.accuracy(), eval.logLoss());
 * }</pre>
 *
 * <p>The predicted class is the argmax (first of equal maxima). Thread safety: not thread-safe; merge
 * per-thread evaluations with {@link #merge(Evaluation)}.
 */
public final class Evaluation {
    private final ConfusionMatrix confusion;
    private double logLossSum;

    /** @param labels class labels */
    public Evaluation(List<String> labels) {
        this.confusion = new ConfusionMatrix(labels);
    }

    /**
     * @param trueClass     the true class
     * @param probabilities a predicted distribution over all classes, starting at {@code offset}
     * @param offset        first index
     */
    public void add(int trueClass, float[] probabilities, int offset) {
        int n = confusion.numClasses();
        checkRange(probabilities.length, offset, n);
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (probabilities[offset + i] > probabilities[offset + best]) {
                best = i;
            }
        }
        checkClass(trueClass, n);
        confusion.add(trueClass, best);
        logLossSum += LogLoss.term(probabilities[offset + trueClass]);
    }

    /**
     * @param trueClass     the true class
     * @param probabilities a predicted distribution, at absolute indices from {@code index}
     * @param index         first absolute index
     */
    public void add(int trueClass, FloatBuffer probabilities, int index) {
        int n = confusion.numClasses();
        checkRange(probabilities.limit(), index, n);
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (probabilities.get(index + i) > probabilities.get(index + best)) {
                best = i;
            }
        }
        checkClass(trueClass, n);
        confusion.add(trueClass, best);
        logLossSum += LogLoss.term(probabilities.get(index + trueClass));
    }

    /** @param other an evaluation over the same labels, merged into this one */
    public void merge(Evaluation other) {
        confusion.add(other.confusion);
        logLossSum += other.logLossSum;
    }

    /** @return number of examples */
    public long count() {
        return confusion.total();
    }

    /** @return fraction predicted correctly, NaN when empty */
    public double accuracy() {
        return confusion.accuracy();
    }

    /** @return mean log loss (see {@link LogLoss}), NaN when empty */
    public double logLoss() {
        return count() == 0 ? Double.NaN : logLossSum / count();
    }

    /** @return the confusion matrix (live, not a copy) */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    private static void checkRange(int length, int offset, int n) {
        if (offset < 0 || offset + n > length) {
            throw new IllegalArgumentException("probabilities: expected " + n + " values from index " + offset
                    + ", found length " + length);
        }
    }

    private static void checkClass(int c, int n) {
        if (c < 0 || c >= n) {
            throw new IllegalArgumentException("true class: expected 0 to " + (n - 1) + ", found " + c);
        }
    }
}
