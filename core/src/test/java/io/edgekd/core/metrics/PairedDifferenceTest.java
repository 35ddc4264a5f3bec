package io.edgekd.core.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairedDifferenceTest {
    @Test
    void matchesAHandComputedInterval() {
        // d = {0.01, 0.02, 0.03}: mean 0.02, sd 0.01, t(2) = 4.303, half width 4.303 * 0.01 / sqrt(3) = 0.024843.
        PairedDifference d = PairedDifference.of(new double[] {0.80, 0.81, 0.82}, new double[] {0.81, 0.83, 0.85});
        assertEquals(0.02, d.mean(), 1e-12);
        assertEquals(0.01, d.sd(), 1e-12);
        assertEquals(0.02 - 0.0248434, d.low(), 1e-6);
        assertEquals(0.02 + 0.0248434, d.high(), 1e-6);
        assertEquals(0.01, d.minimum(), 1e-12);
        assertEquals(3, d.n());
        assertFalse(d.supportsGain(), "the interval includes 0");
        assertFalse(d.supportsLoss());
        assertEquals("+2.00 points (95% interval -0.48 to +4.48, 3 seeds)", d.describe(100, " points"));
    }

    @Test
    void aConsistentGainIsSupportedAndPairingRemovesTheSeedEffect() {
        // The seeds move both arms by up to 5 points; the difference is always 1 point.
        double[] a = {0.80, 0.85, 0.75, 0.82};
        double[] b = {0.81, 0.86, 0.76, 0.83};
        PairedDifference d = PairedDifference.of(a, b);
        assertEquals(0.01, d.mean(), 1e-12);
        assertEquals(0.0, d.sd(), 1e-12);
        assertTrue(d.supportsGain());
        PairedDifference loss = PairedDifference.of(b, a);
        assertTrue(loss.supportsLoss());
    }

    @Test
    void oneSeedHasNoIntervalAndBadInputIsRefused() {
        PairedDifference one = PairedDifference.of(new double[] {0.5}, new double[] {0.6});
        assertTrue(Double.isNaN(one.low()) && Double.isNaN(one.high()));
        assertFalse(one.supportsGain());
        assertTrue(one.describe(100, " points").contains("one seed"));
        assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(new double[] {1}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(new double[] {Double.NaN}, new double[] {1}));
        assertEquals(12.706, PairedDifference.tQuantile975(1), 0);
        assertEquals(1.960, PairedDifference.tQuantile975(100), 0);
    }
}
