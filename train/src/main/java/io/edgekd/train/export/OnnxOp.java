package io.edgekd.train.export;

import java.util.Set;

/**
 * The ONNX operators the exporter emits, with what opset 17 allows for each: how many inputs, which attributes.
 * {@link OnnxGraph} checks every node against this table before adding it, so a mistake in the exporter fails
 * at export time with a message instead of producing a file that ONNX Runtime or a checker rejects later.
 *
 * <p>Input counts and attribute names are those of the ONNX operator documentation (Operators.md) for the
 * operator versions current at opset 17.
 *
 * <p>Thread safety: immutable.
 */
enum OnnxOp {
    /** Convolution: X, W, optional B. */
    CONV("Conv", 2, 3, Set.of("kernel_shape", "strides", "pads", "dilations", "group")),
    /** Inference batch normalisation: X, scale, B, mean, var (opset 15). */
    BATCH_NORMALIZATION("BatchNormalization", 5, 5, Set.of("epsilon", "momentum", "training_mode")),
    /** max(0, x). */
    RELU("Relu", 1, 1, Set.of()),
    /** Clamp with min and max as (scalar) inputs since opset 11. */
    CLIP("Clip", 3, 3, Set.of()),
    /** Leaky ReLU. */
    LEAKY_RELU("LeakyRelu", 1, 1, Set.of("alpha")),
    /** Windowed maximum. */
    MAX_POOL("MaxPool", 1, 1, Set.of("kernel_shape", "strides", "pads", "ceil_mode")),
    /** Windowed average. */
    AVERAGE_POOL("AveragePool", 1, 1, Set.of("kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad")),
    /** Mean over H and W, keeping them as 1. */
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", 1, 1, Set.of()),
    /** Maximum over H and W, keeping them as 1. */
    GLOBAL_MAX_POOL("GlobalMaxPool", 1, 1, Set.of()),
    /** Reshape to 2-D at an axis. */
    FLATTEN("Flatten", 1, 1, Set.of("axis")),
    /** A·B + C: A, B, optional C. */
    GEMM("Gemm", 2, 3, Set.of("alpha", "beta", "transA", "transB")),
    /** Softmax along one axis (opset 13 semantics: only that axis). */
    SOFTMAX("Softmax", 1, 1, Set.of("axis")),
    /** Element type conversion. */
    CAST("Cast", 1, 1, Set.of("to")),
    /** Element-wise product with broadcasting. */
    MUL("Mul", 2, 2, Set.of()),
    /** Element-wise sum with broadcasting. */
    ADD("Add", 2, 2, Set.of()),
    /** Axis permutation. */
    TRANSPOSE("Transpose", 1, 1, Set.of("perm")),
    /** Picks slices along an axis by index: used to reorder colour channels. */
    GATHER("Gather", 2, 2, Set.of("axis")),
    /** Copies its input: gives an internal tensor a second, public name. */
    IDENTITY("Identity", 1, 1, Set.of());

    private final String opType;
    private final int minInputs;
    private final int maxInputs;
    private final Set<String> attributes;

    OnnxOp(String opType, int minInputs, int maxInputs, Set<String> attributes) {
        this.opType = opType;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.attributes = attributes;
    }

    /** @return the ONNX op_type */
    String opType() {
        return opType;
    }

    /**
     * @param inputs     number of inputs given
     * @param attributes attribute names given
     * @throws IllegalStateException if the node would be invalid (an exporter bug, not a user error)
     */
    void check(int inputs, Set<String> attributes) {
        if (inputs < minInputs || inputs > maxInputs) {
            throw new IllegalStateException(opType + ": expected " + (minInputs == maxInputs ? Integer.toString(minInputs)
                    : minInputs + " to " + maxInputs) + " inputs, found " + inputs);
        }
        for (String a : attributes) {
            if (!this.attributes.contains(a)) {
                throw new IllegalStateException(opType + ": expected attributes from " + this.attributes + ", found '" + a + "'");
            }
        }
    }
}
