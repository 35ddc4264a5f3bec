package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.loss.KnowledgeDistillationLoss;
import io.edgekd.train.training.BatchTargets;
import io.edgekd.train.training.TrainingException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * A distilled student's targets: each batch's one-hot labels with the teacher's outputs for the same examples, in
 * the layout {@link KnowledgeDistillationLoss} reads.
 *
 * <p>Two ways to get the teacher's outputs, chosen by {@link Views}:
 * <ul>
 *   <li>{@link Views#CACHED}: once, before the first epoch, for every un-augmented training image. An epoch then
 *       costs what plain training costs. Right when the student trains without augmentation.</li>
 *   <li>{@link Views#PER_VIEW}: for every batch, on the very augmented views the student is trained on (consistent
 *       teaching, Beyer et al. 2022, "Knowledge distillation: A good teacher is patient and consistent"). Cached
 *       outputs of un-augmented images would teach the student about an input other than the one it sees. Costs one
 *       teacher forward pass per batch.</li>
 * </ul>
 * {@link Views#AUTO} takes the per-view teacher when the run augments, the cache otherwise: the same targets either
 * way when there is no augmentation.
 *
 * <p>Thread safety: one training loop at a time.
 */
public final class SoftTargets implements BatchTargets {
    /** How the teacher's outputs are obtained. */
    public enum Views {
        /** {@link #PER_VIEW} when the run augments, {@link #CACHED} otherwise. */
        AUTO,
        /** Once per un-augmented example. */
        CACHED,
        /** Per batch, on the augmented views the student sees. */
        PER_VIEW
    }

    private final Teacher teacher;
    private final ImageDataset train;
    private final Augmentation augmentation;
    private final long seed;
    private final boolean perView;
    private final int classes;
    private final float[][] cache;
    private double seconds;

    /**
     * @param teacher      the teacher (not closed here)
     * @param train        the training examples the loop draws batches from
     * @param augmentation the loop's augmentation
     * @param seed         the loop's seed (fixes each example's view per epoch)
     * @param views        cached or per view
     * @throws TrainingException when the teacher fails while filling the cache
     */
    public SoftTargets(Teacher teacher, ImageDataset train, Augmentation augmentation, long seed, Views views) throws TrainingException {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.train = Objects.requireNonNull(train, "train");
        this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
        this.seed = seed;
        this.perView = views == Views.PER_VIEW || (views == Views.AUTO && augmentation.enabled());
        this.classes = train.numClasses();
        teacher.checkCompatible(train);
        if (perView) {
            cache = null;
        } else {
            long t0 = System.nanoTime();
            cache = new float[train.size()][];
            int step = 256;
            for (int from = 0; from < train.size(); from += step) {
                int[] pos = new int[Math.min(step, train.size() - from)];
                for (int j = 0; j < pos.length; j++) {
                    pos[j] = from + j;
                }
                float[][] rows = teacher.outputs(train, pos, Augmentation.NONE, seed, 0);
                System.arraycopy(rows, 0, cache, from, rows.length);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }
    }

    /** @return whether the teacher runs on every batch's augmented views */
    public boolean perView() {
        return perView;
    }

    @Override
    public INDArray labels(int[] positions, int epoch) throws TrainingException {
        float[][] rows;
        if (perView) {
            long t0 = System.nanoTime();
            rows = teacher.outputs(train, positions, augmentation, seed, epoch);
            seconds += (System.nanoTime() - t0) / 1e9;
        } else {
            rows = new float[positions.length][];
            for (int j = 0; j < positions.length; j++) {
                rows[j] = cache[positions[j]];
            }
        }
        int[] y = new int[positions.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = train.label(positions[j]);
        }
        return KnowledgeDistillationLoss.labels(y, classes, rows);
    }

    @Override
    public double seconds() {
        return seconds;
    }

    @Override
    public String describe() {
        return "teacher " + (teacher.givesLogits() ? "logits" : "log-probabilities") + ", " + (perView ? "per augmented view" : "cached once");
    }
}
