package io.edgekd.train.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
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


    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        SoftmaxMath.requireLogits(activationFn, "SoftmaxCrossEntropyLoss");
        int k = (int) preOutput.size(1);
        if (labels.size(1) != k) {
            throw new IllegalArgumentException("labels: expected " + k + " columns (one-hot), found " + labels.size(1));
        }
        return SoftmaxMath.masked(SoftmaxMath.crossEntropy(preOutput, labels), mask);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return SoftmaxMath.total(computeScoreArray(labels, preOutput, activationFn, mask), preOutput.size(0), average);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        SoftmaxMath.requireLogits(activationFn, "SoftmaxCrossEntropyLoss");
        INDArray grad = SoftmaxMath.masked(SoftmaxMath.crossEntropyGradient(preOutput, labels), mask);
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
