package io.edgekd.train.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Cross-entropy of one-hot labels against {@code softmax(z)}, for networks whose output layer emits logits
 * {@code z} (activation IDENTITY). Every edgekd network ends this way, so a teacher's logits are there to be
 * distilled and the exported graph adds the Softmax. Equal to DL4J's MCXENT on a softmax output, with the
 * softmax and the logarithm fused for stability.
 *
 * <p>Stored by class name in saved models: moving or renaming this class breaks old model files (edgekd's
 * model loader says so when it happens).
 *
 * <p>Thread safety: stateless.
 */
public final class SoftmaxCrossEntropyLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    static void requireIdentity(IActivation activation, String loss) {
        if (!(activation instanceof ActivationIdentity)) {
            throw new IllegalStateException(loss + " expects an output layer with IDENTITY activation (logits), found " + activation);
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireIdentity(activationFn, "SoftmaxCrossEntropyLoss");
        int k = (int) preOutput.size(1);
        if (labels.size(1) != k) {
            throw new IllegalArgumentException("labels: expected " + k + " columns (one-hot), found " + labels.size(1));
        }
        INDArray logp = SoftmaxMath.logSoftmax(preOutput, 1.0);
        INDArray score = logp.muli(labels).sum(true, 1).negi();
        if (mask != null) {
            score.muliColumnVector(mask.reshape(mask.length(), 1).castTo(score.dataType()));
        }
        return score;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double s = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? s / preOutput.size(0) : s;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireIdentity(activationFn, "SoftmaxCrossEntropyLoss");
        INDArray grad = SoftmaxMath.softmax(preOutput, 1.0).subi(labels);
        if (mask != null) {
            grad.muliColumnVector(mask.reshape(mask.length(), 1).castTo(grad.dataType()));
        }
        return activationFn.backprop(preOutput.dup(), grad).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "SoftmaxCrossEntropyLoss";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftmaxCrossEntropyLoss;
    }

    @Override
    public int hashCode() {
        return SoftmaxCrossEntropyLoss.class.hashCode();
    }

    @Override
    public String toString() {
        return "SoftmaxCrossEntropyLoss()";
    }
}
