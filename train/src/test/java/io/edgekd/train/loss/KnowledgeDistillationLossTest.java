package io.edgekd.train.loss;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnowledgeDistillationLossTest {
    private static final ActivationIdentity IDENTITY = new ActivationIdentity();

    private static INDArray labels(double[][] oneHotThenLogits) {
        return Nd4j.create(oneHotThenLogits).castTo(DataType.DOUBLE);
    }

    /** Plain-double reference of the loss for one example, straight from the formula. */
    private static double reference(double[] z, double[] y, double[] v, double t, double a) {
        int k = z.length;
        double[] ps = softmax(z, 1);
        double ce = 0;
        for (int i = 0; i < k; i++) {
            ce -= y[i] * Math.log(ps[i]);
        }
        double[] pt = softmax(v, t);
        double[] pst = softmax(z, t);
        double kl = 0;
        for (int i = 0; i < k; i++) {
            kl += pt[i] * (Math.log(pt[i]) - Math.log(pst[i]));
        }
        return (1 - a) * ce + a * t * t * kl;
    }

    private static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double d : z) {
            max = Math.max(max, d / t);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void scoreMatchesTheFormulaByHand() {
        double[] z = {1.0, 2.0, -0.5};
        double[] y = {1, 0, 0};
        double[] v = {3.0, 0.5, -1.0};
        KnowledgeDistillationLoss loss = new KnowledgeDistillationLoss(0.7, 2.0);
        INDArray lab = labels(new double[][] {{1, 0, 0, 3.0, 0.5, -1.0}});
        INDArray pre = Nd4j.create(new double[][] {z}).castTo(DataType.DOUBLE);
        double got = loss.computeScore(lab, pre, IDENTITY, null, false);
        assertEquals(reference(z, y, v, 2.0, 0.7), got, 1e-12);
    }

    @Test
    void analyticGradientAgreesWithFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(7);
        int mb = 5;
        int k = 4;
        double worst = 0;
        for (double t : new double[] {1, 2, 4, 8}) {
            for (double a : new double[] {0, 0.3, 0.9, 1}) {
                KnowledgeDistillationLoss loss = new KnowledgeDistillationLoss(a, t);
                double[][] lab = new double[mb][2 * k];
                double[][] z = new double[mb][k];
                for (int i = 0; i < mb; i++) {
                    lab[i][r.nextInt(k)] = 1;
                    for (int j = 0; j < k; j++) {
                        lab[i][k + j] = r.nextGaussian() * 3;
                        z[i][j] = r.nextGaussian() * 3;
                    }
                }
                INDArray labels = labels(lab);
                INDArray pre = Nd4j.create(z).castTo(DataType.DOUBLE);
                INDArray grad = loss.computeGradient(labels, pre, IDENTITY, null);
                double h = 1e-6;
                for (int i = 0; i < mb; i++) {
                    for (int j = 0; j < k; j++) {
                        INDArray plus = pre.dup();
                        plus.putScalar(i, j, pre.getDouble(i, j) + h);
                        INDArray minus = pre.dup();
                        minus.putScalar(i, j, pre.getDouble(i, j) - h);
                        double numeric = (loss.computeScore(labels, plus, IDENTITY, null, false)
                                - loss.computeScore(labels, minus, IDENTITY, null, false)) / (2 * h);
                        double analytic = grad.getDouble(i, j);
                        // Relative error, except where both are tiny: central differences at h = 1e-6 carry about
                        // 1e-9 of rounding error in absolute terms (DL4J's own gradient checks use the same guard).
                        double abs = Math.abs(numeric - analytic);
                        double rel = abs / Math.max(1e-12, Math.abs(numeric) + Math.abs(analytic));
                        worst = Math.max(worst, abs < 1e-8 ? 0 : rel);
                    }
                }
            }
        }
        assertTrue(worst < 1e-6, "max relative error " + worst + " (where the absolute error exceeds 1e-8)");
    }

    @Test
    void alphaZeroIsPlainCrossEntropy() {
        SplittableRandom r = new SplittableRandom(3);
        double[][] lab = new double[3][6];
        double[][] z = new double[3][3];
        for (int i = 0; i < 3; i++) {
            lab[i][i] = 1;
            for (int j = 0; j < 3; j++) {
                lab[i][3 + j] = r.nextGaussian();
                z[i][j] = r.nextGaussian();
            }
        }
        INDArray pre = Nd4j.create(z).castTo(DataType.DOUBLE);
        INDArray kdLabels = labels(lab);
        INDArray oneHot = kdLabels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        KnowledgeDistillationLoss kd = new KnowledgeDistillationLoss(0, 4);
        SoftmaxCrossEntropyLoss ce = new SoftmaxCrossEntropyLoss();
        assertEquals(ce.computeScore(oneHot, pre, IDENTITY, null, true), kd.computeScore(kdLabels, pre, IDENTITY, null, true), 1e-12);
        assertEquals(ce.computeGradient(oneHot, pre, IDENTITY, null), kd.computeGradient(kdLabels, pre, IDENTITY, null));
        // Labels without teacher logits: plain cross-entropy whatever alpha is.
        assertEquals(ce.computeScore(oneHot, pre, IDENTITY, null, true),
                new KnowledgeDistillationLoss(0.9, 4).computeScore(oneHot, pre, IDENTITY, null, true), 1e-12);
    }

    @Test
    void crossEntropyMatchesHandValues() {
        INDArray pre = Nd4j.create(new double[][] {{0, Math.log(3)}}).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.create(new double[][] {{0, 1}}).castTo(DataType.DOUBLE);
        // softmax = [1/4, 3/4]; CE = -log(3/4); gradient = p - y = [1/4, -1/4]
        assertEquals(-Math.log(0.75), new SoftmaxCrossEntropyLoss().computeScore(y, pre, IDENTITY, null, true), 1e-12);
        INDArray g = new SoftmaxCrossEntropyLoss().computeGradient(y, pre, IDENTITY, null);
        assertEquals(0.25, g.getDouble(0, 0), 1e-12);
        assertEquals(-0.25, g.getDouble(0, 1), 1e-12);
    }

    @Test
    void masksZeroOutExamples() {
        INDArray pre = Nd4j.create(new double[][] {{1, 2}, {3, -1}}).castTo(DataType.DOUBLE);
        INDArray lab = labels(new double[][] {{1, 0, 0.5, 0.1}, {0, 1, -1, 2}});
        INDArray mask = Nd4j.create(new double[] {1, 0}, 2, 1).castTo(DataType.DOUBLE);
        KnowledgeDistillationLoss loss = new KnowledgeDistillationLoss();
        INDArray perExample = loss.computeScoreArray(lab, pre, IDENTITY, mask);
        assertEquals(0, perExample.getDouble(1, 0), 0);
        assertEquals(0, loss.computeGradient(lab, pre, IDENTITY, mask).getRow(1).sumNumber().doubleValue(), 0);
    }

    @Test
    void misuseIsReported() {
        KnowledgeDistillationLoss loss = new KnowledgeDistillationLoss();
        INDArray pre = Nd4j.create(new double[][] {{1, 2, 3}});
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(Nd4j.create(new double[][] {{1, 0, 0, 0}}), pre, IDENTITY, null, true));
        assertTrue(width.getMessage().contains("expected 6 columns") && width.getMessage().contains("found 4"), width.getMessage());
        IllegalStateException act = assertThrows(IllegalStateException.class,
                () -> loss.computeScore(Nd4j.create(new double[][] {{1, 0, 0}}), pre, new ActivationSoftmax(), null, true));
        assertTrue(act.getMessage().contains("IDENTITY"), act.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KnowledgeDistillationLoss(1.5, 4));
        assertThrows(IllegalArgumentException.class, () -> new KnowledgeDistillationLoss(0.5, 0));
    }
}
