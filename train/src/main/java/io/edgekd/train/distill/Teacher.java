package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.training.TrainingException;

import java.util.List;
import java.util.Map;

/**
 * A trained classifier that gives a student its soft targets: for examples of a dataset, each seen exactly as the
 * student sees it (the same seeded augmentation), one row of logits, or of log-probabilities where the model
 * exposes only probabilities. Either serves: the distillation loss uses {@code softmax(row / T)}, which a per-row
 * constant does not change.
 *
 * <p>Two kinds exist: {@link Dl4jTeacher} (a network trained here) and {@link OnnxTeacher} (any ONNX image
 * classifier, run in ONNX Runtime through the edge runtime — an edgekd export, or a model trained elsewhere at another
 * input size).
 *
 * <p>Ownership: a teacher may hold native resources; its creator closes it. Thread safety: one thread at a time.
 */
public interface Teacher extends AutoCloseable {
    /** @return the teacher's classes, in its output order */
    List<String> labels();

    /**
     * @param data         the examples
     * @param positions    dataset positions
     * @param augmentation the augmentation the student's batch uses, or {@link Augmentation#NONE}
     * @param seed         the run's seed
     * @param epoch        the epoch (with the seed and position it fixes each example's view)
     * @return one row of {@code labels().size()} values per position, in order
     * @throws TrainingException when the model cannot be run
     */
    float[][] outputs(ImageDataset data, int[] positions, Augmentation augmentation, long seed, int epoch) throws TrainingException;

    /** @return true when {@link #outputs} are logits, false for log-probabilities */
    boolean givesLogits();

    /**
     * @param data examples the teacher will be asked about
     * @throws IllegalArgumentException when it cannot take them (classes, channels or size), with what was expected and found
     */
    void checkCompatible(ImageDataset data);

    /** @return provenance entries describing the teacher (network, its training data's fingerprint, its accuracy) */
    Map<String, String> provenance();

    @Override
    void close();
}
