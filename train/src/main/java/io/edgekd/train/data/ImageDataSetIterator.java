package io.edgekd.train.data;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.Normalization;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A core {@link ImageDataset} as a DL4J {@link DataSetIterator}, for code that trains with DL4J's own
 * {@code fit(iterator, epochs)}: normalised NCHW features, one-hot labels, a fresh seeded shuffle and
 * augmentation each epoch (each {@link #reset()}).
 *
 * <pre>{@code
 * DataSetIterator it = new ImageDataSetIterator(train, spec.normalization(), 64, new Augmentation(true, 2), 42);
 * net.fit(it, 5);
 * }</pre>
 *
 * <p>edgekd's own trainers use {@link BatchSource} directly (they need positions for cached teacher logits).
 * Thread safety: not thread-safe; {@link #asyncSupported()} is false so DL4J does not prefetch on another thread.
 */
public final class ImageDataSetIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient BatchSource source;
    private final int batchSize;
    private final Augmentation augmentation;
    private final long seed;
    private final int size;
    private final int classes;
    private final List<String> labels;
    private transient int[] order;
    private int epoch;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    /**
     * @param data          examples
     * @param normalization input normalisation (the model spec's)
     * @param batchSize     examples per batch; the last batch of an epoch may be smaller
     * @param augmentation  augmentation, or {@link Augmentation#NONE}
     * @param seed          seed of shuffling and augmentation; a negative seed keeps the dataset's order
     */
    public ImageDataSetIterator(ImageDataset data, Normalization normalization, int batchSize, Augmentation augmentation, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected at least 1, found " + batchSize);
        }
        this.source = new BatchSource(data, normalization);
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.seed = seed;
        this.size = data.size();
        this.classes = data.numClasses();
        this.labels = data.classes();
        this.order = shuffle(0);
    }

    private int[] shuffle(int e) {
        if (seed >= 0) {
            return ImageDataset.permutation(size, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + e));
        }
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        return p;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is exhausted after " + size + " examples; call reset()");
        }
        int b = Math.min(num, size - cursor);
        int[] pos = new int[b];
        System.arraycopy(order, cursor, pos, 0, b);
        cursor += b;
        DataSet ds = source.batch(pos, augmentation, Math.max(0, seed), epoch);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < size;
    }

    @Override
    public int inputColumns() {
        return source.data().imageBytes();
    }

    @Override
    public int totalOutcomes() {
        return classes;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Starts the next epoch: a new shuffle and new augmentation draws. */
    @Override
    public void reset() {
        if (cursor > 0) {
            epoch++;
        }
        cursor = 0;
        order = shuffle(epoch);
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }
}
