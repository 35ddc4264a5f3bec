package io.edgekd.core.network;

/**
 * One layer of an image classifier. Shapes are NCHW; spatial layers see {@code [C, H, W]}, {@link Dense}
 * sees a flat vector.
 *
 * <p>Thread safety: implementations are immutable records.
 */
public sealed interface LayerSpec permits LayerSpec.Conv2d, LayerSpec.BatchNorm, LayerSpec.Activation, LayerSpec.Pool2d,
        LayerSpec.GlobalPool, LayerSpec.Flatten, LayerSpec.Dense, LayerSpec.Dropout {

    /** How a convolution or pooling window meets the border. */
    enum PaddingMode {
        /**
         * Output size {@code ceil(in / stride)}; the padding needed is split with the odd pixel at the bottom/right
         * (TensorFlow's SAME, ONNX's SAME_UPPER, DL4J's ConvolutionMode.Same).
         */
        SAME,
        /** Symmetric explicit padding; output size {@code floor((in + 2p - k_eff) / stride) + 1}. */
        EXPLICIT
    }

    /** Non-linearities. */
    enum ActivationKind {
        /** {@code max(0, x)}. */
        RELU,
        /** {@code min(max(0, x), 6)}. */
        RELU6,
        /** {@code x} for {@code x >= 0}, else {@code alpha * x}. */
        LEAKY_RELU,
        /** Softmax over the class dimension. */
        SOFTMAX,
        /** No-op. */
        IDENTITY
    }

    /** Pooling reductions. */
    enum PoolKind {
        /** Maximum. */
        MAX,
        /** Average; padding is not counted in the divisor. */
        AVG
    }

    /**
     * 2-D convolution; {@code groups == inChannels == outChannels / multiplier} makes it depthwise.
     *
     * @param outChannels output channels
     * @param kernelH     kernel height
     * @param kernelW     kernel width
     * @param strideH     vertical stride
     * @param strideW     horizontal stride
     * @param dilationH   vertical dilation
     * @param dilationW   horizontal dilation
     * @param padding     padding mode
     * @param padH        symmetric vertical padding for {@link PaddingMode#EXPLICIT}
     * @param padW        symmetric horizontal padding for {@link PaddingMode#EXPLICIT}
     * @param groups      channel groups (1 = dense convolution)
     * @param bias        whether a bias is added
     */
    record Conv2d(int outChannels, int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
                  PaddingMode padding, int padH, int padW, int groups, boolean bias) implements LayerSpec {
        /** Validates. */
        public Conv2d {
            positive("outChannels", outChannels);
            positive("kernelH", kernelH);
            positive("kernelW", kernelW);
            positive("strideH", strideH);
            positive("strideW", strideW);
            positive("dilationH", dilationH);
            positive("dilationW", dilationW);
            positive("groups", groups);
            nonNegative("padH", padH);
            nonNegative("padW", padW);
        }
    }

    /**
     * Batch normalisation over channels (at inference a per-channel affine map, foldable into the previous
     * convolution).
     *
     * @param channels channels
     * @param epsilon  variance epsilon
     */
    record BatchNorm(int channels, double epsilon) implements LayerSpec {
        /** Validates. */
        public BatchNorm {
            positive("channels", channels);
        }
    }

    /**
     * Element-wise activation.
     *
     * @param kind  which
     * @param alpha negative slope for {@link ActivationKind#LEAKY_RELU}, else ignored
     */
    record Activation(ActivationKind kind, double alpha) implements LayerSpec {
    }

    /**
     * Windowed pooling.
     *
     * @param kind    max or average
     * @param kernelH window height
     * @param kernelW window width
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param padding padding mode
     * @param padH    symmetric vertical padding for {@link PaddingMode#EXPLICIT}
     * @param padW    symmetric horizontal padding for {@link PaddingMode#EXPLICIT}
     */
    record Pool2d(PoolKind kind, int kernelH, int kernelW, int strideH, int strideW, PaddingMode padding, int padH, int padW)
            implements LayerSpec {
        /** Validates. */
        public Pool2d {
            positive("kernelH", kernelH);
            positive("kernelW", kernelW);
            positive("strideH", strideH);
            positive("strideW", strideW);
            nonNegative("padH", padH);
            nonNegative("padW", padW);
        }
    }

    /**
     * Pooling over all of H and W; the output is a flat vector of channels.
     *
     * @param kind max or average
     */
    record GlobalPool(PoolKind kind) implements LayerSpec {
    }

    /** {@code [C, H, W]} to a flat vector in C, H, W order. */
    record Flatten() implements LayerSpec {
    }

    /**
     * Fully connected layer.
     *
     * @param outFeatures outputs
     * @param bias        whether a bias is added
     */
    record Dense(int outFeatures, boolean bias) implements LayerSpec {
        /** Validates. */
        public Dense {
            positive("outFeatures", outFeatures);
        }
    }

    /**
     * Dropout: identity at inference.
     *
     * @param dropProbability probability of dropping a unit during training
     */
    record Dropout(double dropProbability) implements LayerSpec {
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": expected a positive value, found " + v);
        }
    }

    private static void nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": expected a value >= 0, found " + v);
        }
    }
}
