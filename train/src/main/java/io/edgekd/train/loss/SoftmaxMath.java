package io.edgekd.train.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The loss package's kernels on {@code [mb, K]} logits: row-wise softmax and log-softmax (stable for logits of any
 * size), and the cross-entropy pieces both losses share, so the distillation loss at α = 0 computes exactly what the
 * plain cross-entropy loss computes.
 */
final class SoftmaxMath {
    private SoftmaxMath() {
    }

    /** @return {@code log softmax(z / t)} row by row, a new array */
    static INDArray logSoftmax(INDArray z, double t) {
        INDArray scaled = t == 1.0 ? z.dup() : z.div(t);
        INDArray max = scaled.max(true, 1);
        INDArray shifted = scaled.subiColumnVector(max);
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subiColumnVector(lse);
    }

    /** @return {@code softmax(z / t)} row by row, a new array */
    static INDArray softmax(INDArray z, double t) {
        return Transforms.exp(logSoftmax(z, t), false);
    }

    /** @return per-row cross-entropy {@code -Σ y · log softmax(z)}, {@code [mb, 1]}, a new array */
    static INDArray crossEntropy(INDArray z, INDArray y) {
        return logSoftmax(z, 1.0).muli(y).sum(true, 1).negi();
    }

    /** @return the gradient of {@link #crossEntropy} with respect to {@code z}: {@code softmax(z) - y}, a new array */
    static INDArray crossEntropyGradient(INDArray z, INDArray y) {
        return softmax(z, 1.0).subi(y);
    }

    /** @return {@code rows} with each row multiplied by its mask value (in place), or unchanged without a mask */
    static INDArray masked(INDArray rows, INDArray mask) {
        if (mask != null) {
            rows.muliColumnVector(mask.reshape(mask.length(), 1).castTo(rows.dataType()));
        }
        return rows;
    }

    /** @return the sum of the per-row scores, divided by the rows when {@code average} */
    static double total(INDArray scoreArray, long rows, boolean average) {
        double s = scoreArray.sumNumber().doubleValue();
        return average ? s / rows : s;
    }

    /**
     * @param activation the output layer's activation
     * @param loss       the loss's name, for the message
     * @throws IllegalStateException unless it is IDENTITY (the losses take logits)
     */
    static void requireLogits(IActivation activation, String loss) {
        if (!(activation instanceof ActivationIdentity)) {
            throw new IllegalStateException(loss + " expects an output layer with IDENTITY activation (logits), found " + activation);
        }
    }
}
