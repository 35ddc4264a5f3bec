package io.edgekd.train.export;

import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.Precision;

/**
 * How {@link OnnxExporter} writes a model: batch-norm folding, a second logits output, preprocessing fused into
 * the graph (and the pixel order the graph accepts), the precision (float32, float16, or int8 with its
 * calibration), the model version, and how the written file is compared with the DL4J network.
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
    /** Default largest accepted absolute difference between ONNX Runtime's and DL4J's probabilities (float32). */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /**
     * Default tolerance of a float16 model: half precision keeps about 3 decimal digits, and the rounding of each
     * layer adds up through the network.
     */
    public static final double DEFAULT_FLOAT16_TOLERANCE = 1e-2;
    /**
     * Default tolerance of an int8 model: quantization moves probabilities by a few hundredths on most real images, and
     * by up to about 0.2 on images near a decision boundary (measured on a Fashion-MNIST student with 78% accuracy,
     * whose answers are often uncertain). The check also requires the same top class wherever DL4J's top two classes
     * are further apart than this, which a wrong scale or a broken graph fails at once.
     */
    public static final double DEFAULT_INT8_TOLERANCE = 0.25;
    /** Name of the logits output when {@link Builder#logits(boolean)} is on. */
    public static final String LOGITS_NAME = "logits";

    private final boolean foldBatchNorm;
    private final boolean logits;
    private final boolean fusePreprocessing;
    private final PixelOrder inputOrder;
    private final long modelVersion;
    private final int checkSamples;
    private final long checkSeed;
    private final Double tolerance;
    private final Precision precision;
    private final Int8Calibration calibration;

    private ExportOptions(Builder b) {
        this.foldBatchNorm = b.foldBatchNorm;
        this.logits = b.logits;
        this.fusePreprocessing = b.fusePreprocessing;
        this.inputOrder = b.inputOrder;
        this.modelVersion = b.modelVersion;
        this.checkSamples = b.checkSamples;
        this.checkSeed = b.checkSeed;
        this.tolerance = b.tolerance;
        this.precision = b.precision;
        this.calibration = b.calibration;
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
        b.precision = precision;
        b.calibration = calibration;
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

    /**
     * @return largest accepted absolute difference of any probability: the one set, or the default of the precision
     *         ({@value #DEFAULT_TOLERANCE}, {@value #DEFAULT_FLOAT16_TOLERANCE} for float16, {@value #DEFAULT_INT8_TOLERANCE}
     *         for int8)
     */
    public double tolerance() {
        if (tolerance != null) {
            return tolerance;
        }
        return switch (precision) {
            case FLOAT32 -> DEFAULT_TOLERANCE;
            case FLOAT16 -> DEFAULT_FLOAT16_TOLERANCE;
            case INT8 -> DEFAULT_INT8_TOLERANCE;
        };
    }

    /** @return the number format the graph computes in */
    public Precision precision() {
        return precision;
    }

    /** @return the calibration of an int8 export, or null */
    public Int8Calibration calibration() {
        return calibration;
    }

    @Override
    public String toString() {
        return "ExportOptions[foldBatchNorm=" + foldBatchNorm + ", logits=" + logits + ", fusePreprocessing=" + fusePreprocessing
                + ", inputOrder=" + (inputOrder == null ? "model's" : inputOrder.key()) + ", modelVersion=" + modelVersion
                + ", checkSamples=" + checkSamples + ", checkSeed=" + checkSeed + ", tolerance=" + tolerance()
                + ", precision=" + precision.key() + (calibration == null ? "" : ", " + calibration) + "]";
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
        private Double tolerance;
        private Precision precision = Precision.FLOAT32;
        private Int8Calibration calibration;

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
         * @param tolerance largest accepted absolute difference of a probability, positive (default: by precision, see
         *                  {@link ExportOptions#tolerance()}). A differing top class
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

        /**
         * @param precision float32 (the default); float16 (weights and activations, float32 input and output); or int8
         *                  (QDQ, symmetric, per-channel weights), which needs a {@link #calibration(Int8Calibration)}
         * @return this
         */
        public Builder precision(Precision precision) {
            this.precision = java.util.Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** @param calibration the images and method an int8 export takes its activation scales from @return this */
        public Builder calibration(Int8Calibration calibration) {
            this.calibration = calibration;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if int8 has no calibration or another precision has one
         */
        public ExportOptions build() {
            if (precision == Precision.INT8 && calibration == null) {
                throw new IllegalArgumentException("precision int8: expected a calibration (images and method), found none");
            }
            if (precision != Precision.INT8 && calibration != null) {
                throw new IllegalArgumentException("calibration: expected precision int8, found " + precision.key());
            }
            return new ExportOptions(this);
        }
    }
}
