package io.edgekd.train.export;

import io.edgekd.core.spec.PixelOrder;

/**
 * How {@link OnnxExporter} writes a model: batch-norm folding, a second logits output, preprocessing fused into
 * the graph (and the pixel order the graph accepts), the model version, and how the written file is compared
 * with the DL4J network.
 *
 * <pre>{@code
 * ExportOptions device = ExportOptions.builder()
 *         .fusePreprocessing(true)          // the graph takes uint8 [N, H, W, C] camera bytes
 *         .inputOrder(PixelOrder.BGR)       // OpenCV's frames, for a model trained on RGB
 *         .build();
 * }</pre>
 *
 * <p>Thread safety: immutable.
 */
public final class ExportOptions {
    /** Default number of random inputs on which ONNX Runtime and DL4J are compared. */
    public static final int DEFAULT_CHECK_SAMPLES = 8;
    /** Default largest accepted absolute difference between ONNX Runtime's and DL4J's probabilities. */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /** Name of the logits output when {@link Builder#logits(boolean)} is on. */
    public static final String LOGITS_NAME = "logits";

    private final boolean foldBatchNorm;
    private final boolean logits;
    private final boolean fusePreprocessing;
    private final PixelOrder inputOrder;
    private final long modelVersion;
    private final int checkSamples;
    private final long checkSeed;
    private final double tolerance;

    private ExportOptions(Builder b) {
        this.foldBatchNorm = b.foldBatchNorm;
        this.logits = b.logits;
        this.fusePreprocessing = b.fusePreprocessing;
        this.inputOrder = b.inputOrder;
        this.modelVersion = b.modelVersion;
        this.checkSamples = b.checkSamples;
        this.checkSeed = b.checkSeed;
        this.tolerance = b.tolerance;
    }

    /**
     * @return batch norm folded into convolutions, probabilities only, float NCHW input in the model's pixel
     *         order, model version 1, compared with DL4J on {@value #DEFAULT_CHECK_SAMPLES} inputs within
     *         {@value #DEFAULT_TOLERANCE}
     */
    public static ExportOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.foldBatchNorm = foldBatchNorm;
        b.logits = logits;
        b.fusePreprocessing = fusePreprocessing;
        b.inputOrder = inputOrder;
        b.modelVersion = modelVersion;
        b.checkSamples = checkSamples;
        b.checkSeed = checkSeed;
        b.tolerance = tolerance;
        return b;
    }

    /** @return whether a batch norm that directly follows a convolution is folded into it */
    public boolean foldBatchNorm() {
        return foldBatchNorm;
    }

    /** @return whether the graph also outputs the pre-softmax scores as {@value #LOGITS_NAME} */
    public boolean logits() {
        return logits;
    }

    /** @return whether the graph takes uint8 NHWC frames and normalises them itself */
    public boolean fusePreprocessing() {
        return fusePreprocessing;
    }

    /** @return the pixel order the graph accepts, or null for the order the model was trained on */
    public PixelOrder inputOrder() {
        return inputOrder;
    }

    /** @return the ONNX {@code model_version} */
    public long modelVersion() {
        return modelVersion;
    }

    /** @return random inputs on which ONNX Runtime is compared with DL4J; 0 only loads the model in ONNX Runtime */
    public int checkSamples() {
        return checkSamples;
    }

    /** @return seed of those inputs */
    public long checkSeed() {
        return checkSeed;
    }

    /** @return largest accepted absolute difference of any probability */
    public double tolerance() {
        return tolerance;
    }

    @Override
    public String toString() {
        return "ExportOptions[foldBatchNorm=" + foldBatchNorm + ", logits=" + logits + ", fusePreprocessing=" + fusePreprocessing
                + ", inputOrder=" + (inputOrder == null ? "model's" : inputOrder.key()) + ", modelVersion=" + modelVersion
                + ", checkSamples=" + checkSamples + ", checkSeed=" + checkSeed + ", tolerance=" + tolerance + "]";
    }

    /**
     * Builds {@link ExportOptions}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private boolean foldBatchNorm = true;
        private boolean logits;
        private boolean fusePreprocessing;
        private PixelOrder inputOrder;
        private long modelVersion = 1;
        private int checkSamples = DEFAULT_CHECK_SAMPLES;
        private long checkSeed = 42;
        private double tolerance = DEFAULT_TOLERANCE;

        private Builder() {
        }

        /**
         * @param fold fold each batch norm that directly follows a convolution into that convolution's weights
         *             and bias (the default; one operator fewer per block, the same numbers to float precision), or
         *             keep every batch norm as an ONNX {@code BatchNormalization} node. A batch norm with no
         *             convolution right before it is always kept as a node.
         * @return this
         */
        public Builder foldBatchNorm(boolean fold) {
            this.foldBatchNorm = fold;
            return this;
        }

        /**
         * @param expose also output the scores before softmax, as a second output named {@value #LOGITS_NAME}
         *               (for distillation from the exported model, or temperature scaling on the device)
         * @return this
         */
        public Builder logits(boolean expose) {
            this.logits = expose;
            return this;
        }

        /**
         * @param fuse make the graph take raw uint8 frames {@code [N, H, W, C]} and do the cast, normalisation and
         *             transpose to NCHW itself (on the GPU, where there is one)
         * @return this
         */
        public Builder fusePreprocessing(boolean fuse) {
            this.fusePreprocessing = fuse;
            return this;
        }

        /**
         * @param order the channel order the graph accepts, when it differs from the one the model was trained
         *              on (BGR frames from OpenCV for an RGB model): the graph reorders the channels itself.
         *              Must have the model's channel count. Null (the default) accepts the model's own order.
         * @return this
         */
        public Builder inputOrder(PixelOrder order) {
            this.inputOrder = order;
            return this;
        }

        /** @param version the ONNX {@code model_version}, at least 1 @return this */
        public Builder modelVersion(long version) {
            if (version < 1) {
                throw new IllegalArgumentException("modelVersion: expected at least 1, found " + version);
            }
            this.modelVersion = version;
            return this;
        }

        /**
         * @param samples random inputs on which the written model, run in ONNX Runtime, is compared with the DL4J
         *                network; 0 only checks that ONNX Runtime loads it and runs a blank input
         * @return this
         */
        public Builder checkSamples(int samples) {
            if (samples < 0 || samples > 1024) {
                throw new IllegalArgumentException("checkSamples: expected 0 to 1024, found " + samples);
            }
            this.checkSamples = samples;
            return this;
        }

        /** @param seed seed of the comparison's random inputs @return this */
        public Builder checkSeed(long seed) {
            this.checkSeed = seed;
            return this;
        }

        /**
         * @param tolerance largest accepted absolute difference of a probability, positive. A differing top class
         *                  fails the check too, unless DL4J's two candidates are themselves within this tolerance
         *                  of each other (a tie at float precision).
         * @return this
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
                throw new IllegalArgumentException("tolerance: expected a finite value > 0, found " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** @return the options */
        public ExportOptions build() {
            return new ExportOptions(this);
        }
    }
}
