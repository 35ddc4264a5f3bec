package io.edgekd.train.data;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.Normalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Objects;

/**
 * Turns examples of an {@link ImageDataset} into DL4J {@link DataSet}s: features float {@code [B, C, H, W]}
 * normalised exactly as the edge runtime normalises camera frames ({@code x * multiplier(c) + offset(c)}), labels
 * one-hot {@code [B, K]} or, for distillation, one-hot followed by the teacher's logits {@code [B, 2K]}.
 *
 * <p>Only the batch being built is copied; the dataset's pixels are read in place.
 *
 * <p>Thread safety: not thread-safe (reuses scratch arrays).
 */
public final class BatchSource {
    private final ImageDataset data;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final float[] multiplier;
    private final float[] offset;
    private final byte[] image;
    private final byte[] augmented;

    /**
     * @param data          the examples
     * @param normalization the model's normalisation; its channel count must equal the data's
     */
    public BatchSource(ImageDataset data, Normalization normalization) {
        this.data = Objects.requireNonNull(data, "data");
        if (normalization.channels() != data.channels()) {
            throw new IllegalArgumentException("normalization: expected " + data.channels() + " channel(s) like the data, found "
                    + normalization.channels());
        }
        this.channels = data.channels();
        this.height = data.height();
        this.width = data.width();
        this.classes = data.numClasses();
        this.multiplier = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            multiplier[c] = normalization.multiplier(c);
            offset[c] = normalization.offset(c);
        }
        this.image = new byte[data.imageBytes()];
        this.augmented = new byte[data.imageBytes()];
    }

    /** @return the dataset */
    public ImageDataset data() {
        return data;
    }

    /**
     * @param positions    dataset positions of the batch's examples
     * @param augmentation augmentation, or {@link Augmentation#NONE}
     * @param seed         run seed (for augmentation)
     * @param epoch        epoch (for augmentation)
     * @return features {@code [B, C, H, W]}
     */
    public INDArray features(int[] positions, Augmentation augmentation, long seed, int epoch) {
        int b = positions.length;
        int plane = height * width;
        float[] out = new float[b * channels * plane];
        for (int j = 0; j < b; j++) {
            int p = positions[j];
            data.copyImage(p, image, 0);
            byte[] src = image;
            if (augmentation.enabled()) {
                augmentation.apply(image, augmented, width, height, channels, Augmentation.random(seed, epoch, p));
                src = augmented;
            }
            int base = j * channels * plane;
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < channels; c++) {
                    out[base + c * plane + i] = (src[i * channels + c] & 0xFF) * multiplier[c] + offset[c];
                }
            }
        }
        return Nd4j.create(out, new long[] {b, channels, height, width}, 'c');
    }

    /**
     * @param positions     dataset positions
     * @param teacherLogits logits per dataset position, or null for plain labels
     * @return labels {@code [B, K]} or {@code [B, 2K]}
     */
    public INDArray labels(int[] positions, float[][] teacherLogits) {
        int b = positions.length;
        int width = teacherLogits == null ? classes : 2 * classes;
        float[] out = new float[b * width];
        for (int j = 0; j < b; j++) {
            int p = positions[j];
            out[j * width + data.label(p)] = 1f;
            if (teacherLogits != null) {
                System.arraycopy(teacherLogits[p], 0, out, j * width + classes, classes);
            }
        }
        return Nd4j.create(out, new long[] {b, width}, 'c');
    }

    /**
     * @param positions   dataset positions
     * @param batchLogits the teacher's logits for this batch, row {@code j} for {@code positions[j]}
     * @return labels {@code [B, 2K]}
     */
    public INDArray labelsWithBatchLogits(int[] positions, float[][] batchLogits) {
        int b = positions.length;
        int width = 2 * classes;
        float[] out = new float[b * width];
        for (int j = 0; j < b; j++) {
            out[j * width + data.label(positions[j])] = 1f;
            System.arraycopy(batchLogits[j], 0, out, j * width + classes, classes);
        }
        return Nd4j.create(out, new long[] {b, width}, 'c');
    }

    /**
     * @param positions    dataset positions
     * @param augmentation augmentation
     * @param seed         run seed
     * @param epoch        epoch
     * @return features and one-hot labels
     */
    public DataSet batch(int[] positions, Augmentation augmentation, long seed, int epoch) {
        return new DataSet(features(positions, augmentation, seed, epoch), labels(positions, null));
    }
}
