package io.edgekd.train.export;

import io.edgekd.core.spec.Calibration;

/**
 * What calibration saw of one activation tensor: the largest absolute value, then (in a second pass, once that
 * range is known) a histogram of absolute values over {@code [0, max]}, and from these the clipping threshold
 * {@code T} of a symmetric int8 scale {@code T / 127}.
 *
 * <p>Thread safety: not thread-safe; one calibration owns it.
 */
final class ActivationHistogram {
    /** Bins of the histogram (TensorRT's calibrator uses 2048). */
    static final int BINS = 2048;
    /** Levels on one side of zero of the symmetric int8 grid the entropy method compares with. */
    static final int LEVELS = 128;
    /** Smallest threshold returned, so that a tensor that was always zero still gets a positive scale. */
    static final float MIN_THRESHOLD = 1e-6f;

    private float absMax;
    private long[] counts;
    private long total;

    /** First pass: widens the range. */
    void observeRange(float[] values, int from, int to) {
        float m = absMax;
        for (int i = from; i < to; i++) {
            float a = Math.abs(values[i]);
            if (a > m) {
                m = a;
            }
        }
        absMax = m;
    }

    /**
     * Second pass: counts absolute values into the histogram over {@code [0, absMax]}. Exact zeros are left out: every
     * symmetric scale represents zero exactly, so they say nothing about which scale to choose, and after a ReLU they
     * are half of all values, a spike in the first bin that would drive the entropy method to clip almost everything
     * (merging that bin with its neighbours is what KL divergence punishes most).
     */
    void observeHistogram(float[] values, int from, int to) {
        if (counts == null) {
            counts = new long[BINS];
        }
        if (!(absMax > 0)) {
            return;
        }
        float perBin = BINS / absMax;
        long n = 0;
        for (int i = from; i < to; i++) {
            float a = Math.abs(values[i]);
            if (a == 0f) {
                continue;
            }
            int b = (int) (a * perBin);
            counts[b >= BINS ? BINS - 1 : b]++;
            n++;
        }
        total += n;
    }

    /** @return the largest absolute value seen */
    float absMax() {
        return absMax;
    }

    /**
     * @param method     how to choose
     * @param percentile for {@link Calibration.Method#PERCENTILE}, of the non-zero absolute values
     * @return the clipping threshold, at least {@link #MIN_THRESHOLD}
     */
    float threshold(Calibration.Method method, double percentile) {
        float t = switch (method) {
            case MINMAX -> absMax;
            case PERCENTILE -> percentile(percentile);
            case ENTROPY -> entropy();
        };
        return Math.max(t, MIN_THRESHOLD);
    }

    /** @return whether the histogram pass is needed for this method */
    static boolean needsHistogram(Calibration.Method method) {
        return method != Calibration.Method.MINMAX;
    }

    private float percentile(double p) {
        requireHistogram();
        if (p >= 100 || total == 0) {
            return absMax;
        }
        double target = total * p / 100.0;
        long cumulative = 0;
        for (int b = 0; b < BINS; b++) {
            cumulative += counts[b];
            if (cumulative >= target) {
                return (float) ((b + 1) * (double) absMax / BINS);
            }
        }
        return absMax;
    }

    /**
     * The threshold minimising KL(P || Q), where P is the histogram cut at the threshold (the mass beyond folded
     * into its last bin) and Q is P merged into {@value #LEVELS} levels and spread back over the non-empty bins of
     * each level: the entropy calibration of Migacz 2017, "8-bit Inference with TensorRT" (GTC), slides 29-37.
     */
    private float entropy() {
        requireHistogram();
        if (!(absMax > 0) || total == 0) {
            return absMax;
        }
        double bestKl = Double.POSITIVE_INFINITY;
        int best = BINS;
        double[] p = new double[BINS];
        double[] q = new double[BINS];
        long beyond = 0;
        for (int b = LEVELS; b < BINS; b++) {
            beyond += counts[b];
        }
        for (int i = LEVELS; i <= BINS; i++) {
            // P: bins [0, i), with everything from bin i on added to bin i-1.
            for (int b = 0; b < i; b++) {
                p[b] = counts[b];
            }
            p[i - 1] += beyond;
            // Q: the unclipped bins [0, i) merged into LEVELS groups, each group's mass spread over its non-empty bins.
            for (int level = 0; level < LEVELS; level++) {
                int start = (int) ((long) level * i / LEVELS);
                int end = (int) ((long) (level + 1) * i / LEVELS);
                double mass = 0;
                int nonEmpty = 0;
                for (int b = start; b < end; b++) {
                    mass += counts[b];
                    if (counts[b] != 0) {
                        nonEmpty++;
                    }
                }
                double each = nonEmpty == 0 ? 0 : mass / nonEmpty;
                for (int b = start; b < end; b++) {
                    q[b] = counts[b] != 0 ? each : 0;
                }
            }
            // Bin i-1 of P holds the clipped mass, which Q (built from the unclipped counts) lacks; a Q of zero where P
            // is not makes the divergence infinite, so such a bin gets a tiny share instead (TensorRT's smoothing).
            double pSum = 0;
            double qSum = 0;
            for (int b = 0; b < i; b++) {
                pSum += p[b];
                qSum += q[b];
            }
            double kl = 0;
            if (qSum > 0) {
                for (int b = 0; b < i; b++) {
                    if (p[b] == 0) {
                        continue;
                    }
                    double pp = p[b] / pSum;
                    double qq = q[b] == 0 ? 1e-10 : q[b] / qSum;
                    kl += pp * Math.log(pp / qq);
                }
            } else {
                kl = Double.POSITIVE_INFINITY;
            }
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
            if (i < BINS) {
                beyond -= counts[i];
            }
        }
        // The threshold is the upper edge of the last kept bin.
        return (float) ((double) best * absMax / BINS);
    }

    private void requireHistogram() {
        if (counts == null) {
            throw new IllegalStateException("expected the histogram pass to have run, found only the range pass");
        }
    }
}
