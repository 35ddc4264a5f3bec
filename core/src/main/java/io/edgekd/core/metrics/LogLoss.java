package io.edgekd.core.metrics;

/**
 * Log loss (cross-entropy of the predicted distribution against the true class).
 *
 * <p>Multi-class form: {@code -(1/n) Σ log p_true}, with each {@code p_true} clipped to
 * {@code [1e-15, 1]} so that one confident mistake gives a large finite value rather than infinity (as
 * scikit-learn does). For two classes this equals the binary form of Jaiswal &amp; Gajjar's Eq. 1,
 * {@code -(1/n) Σ [y log ŷ + (1-y) log(1-ŷ)]} with {@code ŷ} the probability of class 1.
 *
 * <p>Thread safety: stateless.
 */
public final class LogLoss {
    /** Smallest probability used in the logarithm. */
    public static final double EPSILON = 1e-15;

    private LogLoss() {
    }

    /**
     * @param pTrue probability the model gave the true class
     * @return {@code -log(clip(pTrue, 1e-15, 1))}; NaN counts as the smallest probability
     */
    public static double term(double pTrue) {
        double p = Double.isNaN(pTrue) ? EPSILON : Math.min(1.0, Math.max(EPSILON, pTrue));
        return -Math.log(p);
    }

    /**
     * @param probabilities {@code [n][numClasses]} predicted distributions
     * @param labels        true class of each example
     * @return the multi-class log loss
     * @throws IllegalArgumentException if the lengths disagree, the set is empty or a label is out of range
     */
    public static double multiClass(float[][] probabilities, int[] labels) {
        if (probabilities.length != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("expected as many (and at least one) predictions as labels, found "
                    + probabilities.length + " predictions and " + labels.length + " labels");
        }
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= probabilities[i].length) {
                throw new IllegalArgumentException("label " + i + ": expected 0 to " + (probabilities[i].length - 1)
                        + ", found " + labels[i]);
            }
            sum += term(probabilities[i][labels[i]]);
        }
        return sum / labels.length;
    }

    /**
     * The binary form, Jaiswal &amp; Gajjar Eq. 1, with {@code ŷ} clipped to {@code [1e-15, 1-1e-15]}.
     *
     * @param yHat predicted probability of class 1
     * @param y    true class, 0 or 1
     * @return {@code -(1/n) Σ [y log ŷ + (1-y) log(1-ŷ)]}
     */
    public static double binary(double[] yHat, int[] y) {
        if (yHat.length != y.length || y.length == 0) {
            throw new IllegalArgumentException("expected as many (and at least one) predictions as labels, found "
                    + yHat.length + " and " + y.length);
        }
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0 && y[i] != 1) {
                throw new IllegalArgumentException("label " + i + ": expected 0 or 1, found " + y[i]);
            }
            double p = Math.min(1 - EPSILON, Math.max(EPSILON, yHat[i]));
            sum += y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
        }
        return -sum / y.length;
    }
}
