package io.edgekd.train.data;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.Normalization;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Objects;

/**
 * Turns examples of an {@link ImageDataset} into DL4J {@link DataSet}s: features float {@code [B, C, H, W]}
 * normalised exactly as the edge runtime normalises camera frames ({@code x * multiplier(c) + offset(c)}), and
 * one-hot labels {@code [B, K]}. (Distillation's labels are built by {@code io.edgekd.train.distill.SoftTargets}.)
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
    private final Normalization normalization;
    private final boolean channelsLast;
    private final byte[] image;
    private final byte[] augmented;

    /**
     * @param data          the examples
     * @param normalization the model's normalisation; its channel count must equal the data's
     */
    public BatchSource(ImageDataset data, Normalization normalization) {
        this(data, normalization, CNN2DFormat.NCHW);
    }

    /**
     * @param data          the examples
     * @param normalization the model's normalisation; its channel count must equal the data's
     * @param format        the network's input layout: {@code [B, C, H, W]} (NCHW) or {@code [B, H, W, C]} (NHWC)
     */
    public BatchSource(ImageDataset data, Normalization normalization, CNN2DFormat format) {
        this.channelsLast = Objects.requireNonNull(format, "format") == CNN2DFormat.NHWC;
        this.data = Objects.requireNonNull(data, "data");
        if (normalization.channels() != data.channels()) {
            throw new IllegalArgumentException("normalization: expected " + data.channels() + " channel(s) like the data, found "
                    + normalization.channels());
        }
        this.channels = data.channels();
        this.height = data.height();
        this.width = data.width();
        this.classes = data.numClasses();
        this.normalization = normalization;
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
     * @return features {@code [B, C, H, W]}, or {@code [B, H, W, C]} for an NHWC source
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
            if (channelsLast) {
                // The dataset's own interleaved layout: normalise in place order.
                int base = j * channels * plane;
                for (int i = 0; i < plane * channels; i++) {
                    out[base + i] = normalization.normalize(src[i] & 0xFF, i % channels);
                }
            } else {
                normalization.toPlanar(src, 0, plane, out, j * channels * plane);
            }
        }
        return channelsLast ? Nd4j.create(out, new long[] {b, height, width, channels}, 'c')
                : Nd4j.create(out, new long[] {b, channels, height, width}, 'c');
    }

    /**
     * @param positions dataset positions
     * @return one-hot labels {@code [B, K]}
     */
    public INDArray labels(int[] positions) {
        return Nd4j.create(oneHot(positions), new long[] {positions.length, classes}, 'c');
    }

    /**
     * @param positions dataset positions
     * @return the class index of each position's example
     */
    public int[] classIndices(int[] positions) {
        int[] out = new int[positions.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = data.label(positions[j]);
        }
        return out;
    }

    private float[] oneHot(int[] positions) {
        float[] out = new float[positions.length * classes];
        for (int j = 0; j < positions.length; j++) {
            out[j * classes + data.label(positions[j])] = 1f;
        }
        return out;
    }

    /**
     * @param positions    dataset positions
     * @param augmentation augmentation
     * @param seed         run seed
     * @param epoch        epoch
     * @return features and one-hot labels
     */
    public DataSet batch(int[] positions, Augmentation augmentation, long seed, int epoch) {
        return new DataSet(features(positions, augmentation, seed, epoch), labels(positions));
    }
}
