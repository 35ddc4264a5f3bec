package io.edgekd.core.spec;

import java.util.Locale;
import java.util.Objects;

/**
 * How the activation scales of an {@link Precision#INT8} model were chosen: the method, how many images it saw
 * and a fingerprint of those images (so that a quantized model can be traced to its calibration data as a trained
 * model is to its training data).
 *
 * <p>Thread safety: immutable.
 *
 * @param method          how each activation's range was chosen from what the images produced
 * @param images          how many images were run, at least 1
 * @param dataFingerprint fingerprint of the calibration images, non-blank
 * @param activations     how activations are encoded in 8 bits
 */
public record Calibration(Method method, int images, String dataFingerprint, Activations activations) {
    /** How the activations of an int8 model are encoded (weights are always symmetric int8, per output channel). */
    public enum Activations {
        /**
         * Signed int8, zero point 0, range {@code [-T, T]}: the form TensorRT requires, and one ONNX Runtime runs on
         * x86 and ARM. The default.
         */
        SYMMETRIC,
        /**
         * Unsigned uint8 with a zero point: {@code [0, T]} with zero point 0 after a rectifier, so the runtime drops the
         * rectifier into the convolution before it; {@code [-T, T]} with zero point 128 elsewhere. ONNX Runtime's CPU
         * provider (its U8S8 kernels) runs it fastest; TensorRT refuses it.
         */
        UNSIGNED;

        /** @return the lower-case name used in model metadata and on the command line */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param text an encoding's key, case-insensitive
         * @return the encoding
         * @throws IllegalArgumentException if it is none of them, naming those allowed
         */
        public static Activations parse(String text) {
            Objects.requireNonNull(text, "text");
            for (Activations a : values()) {
                if (a.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            throw new IllegalArgumentException("int8 activations: expected one of symmetric, unsigned, found '" + text + "'");
        }
    }

    /**
     * Symmetric activations (the default encoding).
     *
     * @param method          how each activation's range was chosen
     * @param images          how many images were run
     * @param dataFingerprint fingerprint of the calibration images
     */
    public Calibration(Method method, int images, String dataFingerprint) {
        this(method, images, dataFingerprint, Activations.SYMMETRIC);
    }

    /** How a clipping threshold is chosen from an activation's observed values. */
    public enum Method {
        /** The largest absolute value seen. */
        MINMAX,
        /** A high percentile (for example the 99.99th) of the absolute values seen: outliers are clipped. */
        PERCENTILE,
        /**
         * The threshold whose 8-bit histogram is closest to the observed one in Kullback-Leibler divergence
         * (Migacz 2017, "8-bit Inference with TensorRT", GTC).
         */
        ENTROPY;

        /** @return the lower-case name used in model metadata and on the command line */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param text a method's key, case-insensitive
         * @return the method
         * @throws IllegalArgumentException if it is none of them, naming those allowed
         */
        public static Method parse(String text) {
            Objects.requireNonNull(text, "text");
            for (Method m : values()) {
                if (m.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("calibration method: expected one of minmax, percentile, entropy, found '" + text + "'");
        }
    }

    /**
     * @throws IllegalArgumentException if {@code images} is not positive or the fingerprint is blank
     */
    public Calibration {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(dataFingerprint, "dataFingerprint");
        Objects.requireNonNull(activations, "activations");
        if (images < 1) {
            throw new IllegalArgumentException("calibration images: expected at least 1, found " + images);
        }
        if (dataFingerprint.isBlank()) {
            throw new IllegalArgumentException("calibration data fingerprint: expected a non-blank value, found '" + dataFingerprint + "'");
        }
    }
}
