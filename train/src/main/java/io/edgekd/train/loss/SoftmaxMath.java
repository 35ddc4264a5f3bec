package io.edgekd.train.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Row-wise softmax and log-softmax on {@code [mb, K]} arrays, stable for logits of any size. */
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
}
