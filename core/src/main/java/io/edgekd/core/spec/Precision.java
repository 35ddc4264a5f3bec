package io.edgekd.core.spec;

import java.util.Locale;

/**
 * The number format a model's graph computes in. Input and output tensors stay as {@link InputForm} and
 * {@link OutputKind} say (float32 or uint8 in, float32 out) whatever the precision: a consumer feeds and reads a
 * float16 or int8 model exactly as a float32 one.
 *
 * <p>Thread safety: immutable.
 */
public enum Precision {
    /** Float32 weights and activations: the model as trained. */
    FLOAT32,
    /** Float16 weights and activations, cast from and to float32 at the graph's edges (for GPUs). */
    FLOAT16,
    /**
     * Int8 weights (symmetric, per output channel) and int8 activations (symmetric, scales from a calibration set),
     * written as QuantizeLinear/DequantizeLinear pairs around the convolutions and dense layers (the QDQ format);
     * see {@link Calibration} for how the activation scales were chosen.
     */
    INT8;

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
