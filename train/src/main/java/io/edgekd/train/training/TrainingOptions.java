package io.edgekd.train.training;

import io.edgekd.train.data.Augmentation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import io.edgekd.train.report.ProgressBar;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings every training run shares, whatever it trains: epochs, batch size, seed, optimiser, augmentation,
 * validation frequency, early stopping, checkpoints and resume, progress display.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.builder().epochs(10).batchSize(128).seed(42)
 *         .optimizer(OptimizerConfig.adam(2e-3).withSchedule(OptimizerConfig.Schedule.POLY))
 *         .checkpointDir(Path.of("runs/teacher")).patience(3).build();
 * }</pre>
 *
 * <p>Thread safety: immutable.
 *
 * @param name            run name, shown in progress and learning curves
 * @param epochs          epochs in all
 * @param batchSize       minibatch size
 * @param seed            run seed: initial weights, shuffling, augmentation, dropout
 * @param optimizer       optimiser
 * @param augmentation    training-time augmentation
 * @param validationEvery extra validation points every this many iterations (0: once per epoch)
 * @param patience        early stopping after this many epochs without a lower validation log loss (0: off)
 * @param keepBest        return the weights of the validation point with the lowest log loss rather than the last
 *                        (implied by early stopping)
 * @param preciseBatchNorm training images whose batch statistics replace the batch-norm running averages before
 *                        every validation and at the end ({@link BatchNormStatistics}); 0 keeps DL4J's averages
 * @param checkpointDir   folder for {@code last.zip} and {@code best.zip}, or null
 * @param resumeFrom      a {@code last.zip} to continue from, or null
 * @param progress        progress display
 * @param fitter          how minibatches update the network: {@link BatchFitter#SINGLE_DEVICE}, or several devices or
 *                        machines; {@code batchSize} is then the batch of each worker
 */
public record TrainingOptions(String name, int epochs, int batchSize, long seed, OptimizerConfig optimizer, Augmentation augmentation,
                              int validationEvery, int patience, boolean keepBest, int preciseBatchNorm, Path checkpointDir, Path resumeFrom, ProgressBar progress,
                              CNN2DFormat dataFormat, BatchFitter fitter) {
    /** Images used to re-estimate batch-norm statistics by default. */
    public static final int DEFAULT_PRECISE_BATCH_NORM = 512;
    /** The layout of new networks' input. */
    public static final CNN2DFormat DEFAULT_DATA_FORMAT = CNN2DFormat.NCHW;
    /** Default epochs. */
    public static final int DEFAULT_EPOCHS = 10;
    /** Default minibatch size. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    /** Validates. */
    public TrainingOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(dataFormat, "dataFormat");
        Objects.requireNonNull(fitter, "fitter");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs: expected at least 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected at least 1, found " + batchSize);
        }
        if (validationEvery < 0 || patience < 0) {
            throw new IllegalArgumentException("validationEvery and patience: expected >= 0, found " + validationEvery + " and " + patience);
        }
    }

    /** @return a builder: 10 epochs, batch 64, seed 42, Adam 1e-3, no augmentation, console progress */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.seed = seed;
        b.optimizer = optimizer;
        b.augmentation = augmentation;
        b.validationEvery = validationEvery;
        b.patience = patience;
        b.keepBest = keepBest;
        b.preciseBatchNorm = preciseBatchNorm;
        b.checkpointDir = checkpointDir;
        b.resumeFrom = resumeFrom;
        b.progress = progress;
        b.dataFormat = dataFormat;
        b.fitter = fitter;
        return b;
    }

    /**
     * @param trainExamples examples per epoch
     * @return iterations the whole run will take
     */
    public long plannedIterations(int trainExamples) {
        return (long) epochs * ((trainExamples + batchSize - 1) / batchSize);
    }

    /** Builds {@link TrainingOptions}. Thread safety: not thread-safe. */
    public static final class Builder {
        private String name = "model";
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long seed = DEFAULT_SEED;
        private OptimizerConfig optimizer = OptimizerConfig.defaults();
        private Augmentation augmentation = Augmentation.NONE;
        private int validationEvery;
        private int patience;
        private boolean keepBest;
        private int preciseBatchNorm = DEFAULT_PRECISE_BATCH_NORM;
        private Path checkpointDir;
        private Path resumeFrom;
        private ProgressBar progress = ProgressBar.quiet();
        private CNN2DFormat dataFormat = DEFAULT_DATA_FORMAT;
        private BatchFitter fitter = BatchFitter.SINGLE_DEVICE;

        private Builder() {
        }

        /** @param n run name @return this */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** @param n epochs @return this */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** @param n minibatch size @return this */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** @param s seed @return this */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @param o optimiser @return this */
        public Builder optimizer(OptimizerConfig o) {
            this.optimizer = o;
            return this;
        }

        /** @param a augmentation @return this */
        public Builder augmentation(Augmentation a) {
            this.augmentation = a;
            return this;
        }

        /** @param iterations validation every this many iterations, 0 for once per epoch @return this */
        public Builder validationEvery(int iterations) {
            this.validationEvery = iterations;
            return this;
        }

        /** @param epochs early-stopping patience, 0 for none @return this */
        public Builder patience(int epochs) {
            this.patience = epochs;
            return this;
        }

        /**
         * @param keep return the weights of the best validation point (lowest log loss) rather than the last;
         *             batch-norm statistics make the last point of a short run noisy
         * @return this
         */
        public Builder keepBest(boolean keep) {
            this.keepBest = keep;
            return this;
        }

        /**
         * @param examples training images whose batch statistics replace DL4J's running batch-norm averages before each
         *                 validation and at the end (default {@value TrainingOptions#DEFAULT_PRECISE_BATCH_NORM}); 0 for off
         * @return this
         */
        public Builder preciseBatchNorm(int examples) {
            if (examples < 0) {
                throw new IllegalArgumentException("preciseBatchNorm: expected >= 0, found " + examples);
            }
            this.preciseBatchNorm = examples;
            return this;
        }

        /** @param dir checkpoint folder, created if missing; null for none @return this */
        public Builder checkpointDir(Path dir) {
            this.checkpointDir = dir;
            return this;
        }

        /** @param checkpoint a {@code last.zip} to resume, or null @return this */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = checkpoint;
            return this;
        }

        /** @param p progress display @return this */
        /**
         * @param f the layout new networks read their input in: NCHW or NHWC (same arithmetic, same gradients — a test
         *          checks a training step of each family in both — different speed on DL4J's oneDNN helpers)
         * @return this
         */
        public Builder dataFormat(CNN2DFormat f) {
            this.dataFormat = f;
            return this;
        }

        public Builder progress(ProgressBar p) {
            this.progress = p;
            return this;
        }

        /**
         * @param f how minibatches update the network (default {@link BatchFitter#SINGLE_DEVICE}); the fitter's owner
         *          closes it, if it holds anything, after the run
         * @return this
         */
        public Builder fitter(BatchFitter f) {
            this.fitter = f;
            return this;
        }

        /** @return the options */
        public TrainingOptions build() {
            return new TrainingOptions(name, epochs, batchSize, seed, optimizer, augmentation, validationEvery, patience, keepBest,
                    preciseBatchNorm, checkpointDir, resumeFrom, progress, dataFormat, fitter);
        }
    }
}
