package io.edgekd.core.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * The paired difference of two training recipes measured on the same seeds: for each seed, {@code b[i] - a[i]}
 * (e.g. the distilled student's test accuracy minus the same student's trained alone, both from seed {@code i}),
 * their mean, standard deviation and a two-sided 95% confidence interval for the mean from Student's t distribution
 * with {@code n - 1} degrees of freedom. Pairing removes what the seed does to both arms alike (initial weights,
 * data order), which on a 1,000-image test set is often larger than the effect being measured.
 *
 * <p>With one seed there is no interval: {@link #low()} and {@link #high()} are NaN, and {@link #supportsGain()} is
 * false — one run cannot show a gain.
 *
 * @param mean      mean difference
 * @param sd        sample standard deviation of the differences (NaN for one seed)
 * @param low       lower end of the 95% interval
 * @param high      upper end of the 95% interval
 * @param n         number of pairs
 * @param minimum   the smallest single difference
 */
public record PairedDifference(double mean, double sd, double low, double high, int n, double minimum) {
    /** Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom (standard tables). */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

    /**
     * @param a the baseline arm's values, one per seed
     * @param b the other arm's values, same seeds in the same order
     * @return {@code b - a}, paired
     * @throws IllegalArgumentException when the arms differ in length, are empty, or hold a non-finite value
     */
    public static PairedDifference of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values: expected the same number of seeds in both arms, found " + a.length + " and " + b.length);
        }
        if (a.length == 0) {
            throw new IllegalArgumentException("paired values: expected at least one seed, found none");
        }
        int n = a.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
                throw new IllegalArgumentException("paired values: expected finite values, found " + a[i] + " and " + b[i] + " at seed " + i);
            }
            d[i] = b[i] - a[i];
        }
        double mean = Arrays.stream(d).sum() / n;
        double min = Arrays.stream(d).min().orElseThrow();
        if (n == 1) {
            return new PairedDifference(mean, Double.NaN, Double.NaN, Double.NaN, 1, min);
        }
        double ss = 0;
        for (double v : d) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double half = tQuantile975(n - 1) * sd / Math.sqrt(n);
        return new PairedDifference(mean, sd, mean - half, mean + half, n, min);
    }

    /** @return Student's t 97.5% quantile for {@code df} degrees of freedom (the normal's 1.960 beyond 30) */
    static double tQuantile975(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom: expected at least 1, found " + df);
        }
        return df <= T975.length ? T975[df - 1] : 1.960;
    }

    /** @return true when the whole 95% interval lies above zero */
    public boolean supportsGain() {
        return n > 1 && low > 0;
    }

    /** @return true when the whole 95% interval lies below zero */
    public boolean supportsLoss() {
        return n > 1 && high < 0;
    }

    /**
     * @param scale multiply every value by this for the text (100 for points of accuracy)
     * @param unit  the unit after each number, e.g. {@code " points"}
     * @return e.g. {@code +0.40 points (95% interval -0.10 to +0.90, 3 seeds)}
     */
    public String describe(double scale, String unit) {
        if (n == 1) {
            return String.format(Locale.ROOT, "%+.2f%s (one seed: no interval)", scale * mean, unit);
        }
        return String.format(Locale.ROOT, "%+.2f%s (95%% interval %+.2f to %+.2f, %d seeds)", scale * mean, unit, scale * low, scale * high, n);
    }
}
