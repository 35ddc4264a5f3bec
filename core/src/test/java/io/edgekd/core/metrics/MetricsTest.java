package io.edgekd.core.metrics;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @Test
    void logLossHandComputed() {
        float[][] p = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.3f, 0.3f, 0.4f}};
        int[] y = {0, 1, 0};
        double expected = -(Math.log(0.7f) + Math.log(0.8f) + Math.log(0.3f)) / 3;
        assertEquals(expected, LogLoss.multiClass(p, y), 1e-12);
    }

    @Test
    void logLossClipsZeroProbabilities() {
        assertEquals(-Math.log(1e-15), LogLoss.term(0), 1e-9);
        assertEquals(-Math.log(1e-15), LogLoss.term(Double.NaN), 1e-9);
        assertEquals(0, LogLoss.term(1.2), 0);
        assertEquals(34.538776394910684, LogLoss.multiClass(new float[][] {{1f, 0f}}, new int[] {1}), 1e-9);
    }

    @Test
    void twoClassFormEqualsPaperEquationOne() {
        double[] yHat = {0.9, 0.2, 0.65, 0.01, 0.999};
        int[] y = {1, 0, 1, 1, 0};
        float[][] p = new float[yHat.length][];
        for (int i = 0; i < yHat.length; i++) {
            p[i] = new float[] {(float) (1 - yHat[i]), (float) yHat[i]};
        }
        double byHand = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.65) + Math.log(0.01) + Math.log(0.001)) / 5;
        assertEquals(byHand, LogLoss.binary(yHat, y), 1e-12);
        assertEquals(LogLoss.binary(yHat, y), LogLoss.multiClass(p, y), 1e-6);
    }

    @Test
    void logLossRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> LogLoss.multiClass(new float[0][], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> LogLoss.multiClass(new float[][] {{1f, 0f}}, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> LogLoss.binary(new double[] {0.5}, new int[] {2}));
    }

    @Test
    void confusionMatrixHandComputed() {
        // actual:    0 0 0 1 1 2 2 2 2
        // predicted: 0 0 1 1 2 2 2 2 0
        ConfusionMatrix m = new ConfusionMatrix(List.of("x", "y", "z"));
        int[] actual = {0, 0, 0, 1, 1, 2, 2, 2, 2};
        int[] predicted = {0, 0, 1, 1, 2, 2, 2, 2, 0};
        for (int i = 0; i < actual.length; i++) {
            m.add(actual[i], predicted[i]);
        }
        assertEquals(9, m.total());
        assertEquals(6, m.correct());
        assertEquals(6.0 / 9, m.accuracy(), 1e-12);
        assertEquals(2, m.count(0, 0));
        assertEquals(1, m.count(2, 0));
        // class 0: TP 2, FP 1 (a 2 predicted 0), FN 1
        assertEquals(2.0 / 3, m.precision(0), 1e-12);
        assertEquals(2.0 / 3, m.recall(0), 1e-12);
        // class 1: TP 1, FP 1, FN 1
        assertEquals(0.5, m.precision(1), 1e-12);
        assertEquals(0.5, m.recall(1), 1e-12);
        assertEquals(0.5, m.f1(1), 1e-12);
        // class 2: TP 3, FP 1, FN 1
        assertEquals(0.75, m.precision(2), 1e-12);
        assertEquals(0.75, m.recall(2), 1e-12);
        assertEquals((2.0 / 3 + 0.5 + 0.75) / 3, m.macroF1(), 1e-12);
        assertEquals(4, m.support(2));
        assertEquals(3, m.predicted(0));
        assertTrue(m.toTable().contains("2 z"), m.toTable());
    }

    @Test
    void unseenClassesScoreZero() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("a", "b"));
        m.add(0, 0);
        assertEquals(0, m.precision(1));
        assertEquals(0, m.recall(1));
        assertEquals(0, m.f1(1));
        assertThrows(IllegalArgumentException.class, () -> m.add(2, 0));
    }

    @Test
    void evaluationCombinesAccuracyLogLossAndConfusion() {
        Evaluation e = new Evaluation(List.of("a", "b", "c"));
        e.add(0, new float[] {0.7f, 0.2f, 0.1f}, 0);
        e.add(1, new float[] {9f, 0.1f, 0.8f, 0.1f}, 1);
        e.add(0, FloatBuffer.wrap(new float[] {0.3f, 0.3f, 0.4f}), 0);
        assertEquals(3, e.count());
        assertEquals(2.0 / 3, e.accuracy(), 1e-12);
        assertEquals(-(Math.log(0.7f) + Math.log(0.8f) + Math.log(0.3f)) / 3, e.logLoss(), 1e-7);
        assertEquals(1, e.confusion().count(0, 2));
        Evaluation other = new Evaluation(List.of("a", "b", "c"));
        other.add(2, new float[] {0f, 0f, 1f}, 0);
        e.merge(other);
        assertEquals(4, e.count());
        assertEquals(0.75, e.accuracy(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> e.add(3, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> e.add(0, new float[2], 0));
        assertTrue(Double.isNaN(new Evaluation(List.of("a", "b")).logLoss()));
    }
}
