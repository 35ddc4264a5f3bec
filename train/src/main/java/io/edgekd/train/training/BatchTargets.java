package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.train.data.BatchSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a minibatch is trained towards: the labels array handed to DL4J with the batch's features. The training
 * loop asks for it once per batch and knows nothing else about it; plain training uses {@link #oneHot}, and
 * distillation ({@code io.edgekd.train.distill.SoftTargets}) adds the teacher's soft targets in the layout its loss
 * reads.
 *
 * <p>Thread safety: implementations are used by one training loop at a time, on its thread.
 */
public interface BatchTargets {
    /**
     * @param positions dataset positions of the batch's examples, in batch order
     * @param epoch     the epoch (0-based) the batch belongs to; with the run's seed it fixes each example's augmented view
     * @return labels for the batch, one row per position
     * @throws TrainingException when the targets cannot be produced (e.g. a teacher model fails)
     */
    INDArray labels(int[] positions, int epoch) throws TrainingException;

    /** @return seconds spent producing targets beyond building one-hot rows (teacher forward passes), so far */
    double seconds();

    /** @return a short description for the model's provenance, e.g. {@code one-hot} */
    String describe();

    /**
     * @param train the training examples
     * @return one-hot labels of the examples' classes
     */
    static BatchTargets oneHot(ImageDataset train) {
        BatchSource source = new BatchSource(train, io.edgekd.core.spec.Normalization.unit(train.channels()));
        return new BatchTargets() {
            @Override
            public INDArray labels(int[] positions, int epoch) {
                return source.labels(positions);
            }

            @Override
            public double seconds() {
                return 0;
            }

            @Override
            public String describe() {
                return "one-hot";
            }
        };
    }
}
