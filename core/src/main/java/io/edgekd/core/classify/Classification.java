package io.edgekd.core.classify;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The top {@code k} classes of one prediction, best first: a reusable result object that a classifier fills
 * on every frame without allocating.
 *
 * <pre>{@code
 * Classification top = new Classification(3, labels);
 * top.fill(probabilities, 0, labels.size());   // per frame, allocation-free
 * System.out.println(top.label(0) + " " + top.probability(0));
 * }</pre>
 *
 * <p>Ties keep the lower class index first. Thread safety: not thread-safe; one result per thread, reused
 * frame after frame. Ownership: the label list is shared, never copied per call.
 *
 * <p>A classifier fills a result through {@link #fill(FloatBuffer, int, List)} with its own label list, so a
 * result made for another model is refused even when it has as many classes; the check is one reference
 * comparison per frame once the result has been filled for that model.
 */
public final class Classification {
    /** Not final: replaced once by an equal list handed to {@link #fill(FloatBuffer, int, List)}, see there. */
    private List<String> labels;
    private final int[] indices;
    private final float[] probabilities;
    private int count;

    /**
     * @param k      how many classes to keep, from 1 to the number of labels
     * @param labels class labels in output order
     * @throws IllegalArgumentException if {@code k} is out of range
     */
    public Classification(int k, List<String> labels) {
        this.labels = List.copyOf(Objects.requireNonNull(labels, "labels"));
        if (k < 1 || k > labels.size()) {
            throw new IllegalArgumentException("k: expected 1 to " + labels.size() + " (the number of classes), found " + k);
        }
        this.indices = new int[k];
        this.probabilities = new float[k];
    }

    /** @return the capacity {@code k} */
    public int capacity() {
        return indices.length;
    }

    /** @return how many entries the last fill produced ({@code k}, or 0 before the first fill) */
    public int size() {
        return count;
    }

    /** @return the number of classes of the model this result is for */
    public int numClasses() {
        return labels.size();
    }

    /** @return the class labels this result names, in output order */
    public List<String> labels() {
        return labels;
    }

    /** @param rank 0 for the best @return class index at that rank */
    public int index(int rank) {
        checkRank(rank);
        return indices[rank];
    }

    /** @param rank 0 for the best @return class label at that rank */
    public String label(int rank) {
        checkRank(rank);
        return labels.get(indices[rank]);
    }

    /** @param rank 0 for the best @return probability (or score) at that rank */
    public float probability(int rank) {
        checkRank(rank);
        return probabilities[rank];
    }

    /**
     * Keeps the {@code k} largest of {@code probabilities[offset .. offset+numClasses)}.
     *
     * @param probs      class probabilities (or scores)
     * @param offset     first index
     * @param numClasses must equal {@link #numClasses()}
     */
    public void fill(float[] probs, int offset, int numClasses) {
        checkClasses(numClasses);
        int k = indices.length;
        int n = 0;
        for (int i = 0; i < numClasses; i++) {
            n = insert(i, probs[offset + i], n, k);
        }
        count = n;
    }

    /**
     * Keeps the {@code k} largest of {@code probabilities} at absolute indices
     * {@code [index .. index+numClasses)}; the buffer's position is not changed.
     *
     * @param probs      class probabilities (or scores)
     * @param index      first absolute index
     * @param numClasses must equal {@link #numClasses()}
     */
    public void fill(FloatBuffer probs, int index, int numClasses) {
        checkClasses(numClasses);
        int k = indices.length;
        int n = 0;
        for (int i = 0; i < numClasses; i++) {
            n = insert(i, probs.get(index + i), n, k);
        }
        count = n;
    }

    /**
     * As {@link #fill(FloatBuffer, int, int)} for the model whose labels are {@code modelLabels}: refuses a
     * result made for other labels. The first fill compares the lists; when they are equal this result
     * keeps {@code modelLabels} itself, so every later fill for the same model compares one reference.
     *
     * @param probs       class probabilities (or scores)
     * @param index       first absolute index
     * @param modelLabels the labels of the model that produced {@code probs}, unmodifiable
     * @throws IllegalArgumentException if the labels differ from this result's, in number or in content
     */
    public void fill(FloatBuffer probs, int index, List<String> modelLabels) {
        checkLabels(modelLabels);
        fill(probs, index, modelLabels.size());
    }

    /**
     * As {@link #fill(float[], int, int)} with the check of {@link #fill(FloatBuffer, int, List)}.
     *
     * @param probs       class probabilities (or scores)
     * @param offset      first index
     * @param modelLabels the labels of the model that produced {@code probs}, unmodifiable
     */
    public void fill(float[] probs, int offset, List<String> modelLabels) {
        checkLabels(modelLabels);
        fill(probs, offset, modelLabels.size());
    }

    /**
     * @param modelLabels a model's labels
     * @return whether this result names the same classes, in the same order
     */
    public boolean isFor(List<String> modelLabels) {
        return modelLabels == labels || labels.equals(modelLabels);
    }

    private void checkLabels(List<String> modelLabels) {
        if (modelLabels == labels) {
            return;
        }
        checkClasses(modelLabels.size());
        if (!labels.equals(modelLabels)) {
            throw new IllegalArgumentException("result: expected one made for this model's labels " + modelLabels
                    + ", found one made for " + labels);
        }
        // Equal and unmodifiable: from now on the check is a reference comparison.
        labels = modelLabels;
    }

    /** Insertion into the sorted top-k arrays; returns the new fill count. */
    private int insert(int cls, float p, int n, int k) {
        if (n == k && !(p > probabilities[k - 1])) {
            return n;
        }
        int pos = n == k ? k - 1 : n;
        while (pos > 0 && p > probabilities[pos - 1]) {
            probabilities[pos] = probabilities[pos - 1];
            indices[pos] = indices[pos - 1];
            pos--;
        }
        probabilities[pos] = p;
        indices[pos] = cls;
        return n == k ? k : n + 1;
    }

    private void checkClasses(int numClasses) {
        if (numClasses != labels.size()) {
            throw new IllegalArgumentException("numClasses: expected " + labels.size() + " (this result's labels), found "
                    + numClasses);
        }
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= count) {
            throw new IndexOutOfBoundsException("rank: expected 0 to " + (count - 1) + ", found " + rank
                    + (count == 0 ? " (the result has not been filled yet)" : ""));
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Classification[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(labels.get(indices[i])).append('=').append(String.format(java.util.Locale.ROOT, "%.4f", probabilities[i]));
        }
        return sb.append(']').toString();
    }
}
