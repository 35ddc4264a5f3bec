package io.edgekd.train.network;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The student: MobileNet-style (Howard et al. 2017) depthwise-separable blocks after the shared stem.
 *
 * <pre>
 *   stem: conv3x3(S) stride s, BN ReLU                         (same weights' shape as the teacher's stem)
 *   stage k (k = 1..stages), channels C_k = base_k * widthMultiplier:
 *     block 1: dw3x3 stride 2, BN, act, pw1x1(C_k), BN, act
 *     blocks 2..blocksPerStage: the same with stride 1
 *   head: global average pool, output
 * </pre>
 *
 * base = 64, 128, 256, ...; act = ReLU6 by default. The bracketed BN and activation between the depthwise
 * and pointwise convolutions are off by default: Xception (Chollet 2017) found the pair works as well or better
 * left linear, and here it trains 1.7 times faster (batch norm's backward pass dominates DL4J's time on a
 * network this small); {@link Builder#depthwiseBatchNorm(boolean)} restores MobileNet v1's layout. Each depthwise-separable block is built from a
 * {@code DepthwiseConvolution2D} and a 1x1 {@code ConvolutionLayer}, not DL4J's {@code SeparableConvolution2D},
 * which is 10–16 times slower to train.
 *
 * <p>Downsampling follows the input size unless the builder fixes it, as MobileNet does at ImageNet sizes: the stem
 * has stride 2 when the shorter side is at least {@value #STRIDED_STEM_MIN_SIDE} pixels (stride 1 below), and there
 * are as many stages as it takes to bring the shorter side down to at most {@value #FINAL_MAP_MAX_SIDE} pixels,
 * at least 2. So 28x28 (and anything up to 32x32) keeps stride 1 and 2 stages; 96x96 gets a strided stem and 3
 * stages (6x6 at the end); 160x160 and 224x224 a strided stem and 4 stages (5x5, 7x7). Without this the cost grows
 * with the square of the side (214 M multiply-accumulates at 224x224x3, more than two thirds of MobileNetV2's);
 * with it, the default student costs 3.3 M at 28x28x3 and about a third of MobileNetV2 at 224x224x3.
 * At 28x28x1 with the defaults it has 36.6 k parameters (batch-norm statistics included) and 2.9 M
 * multiply-accumulates per image.
 *
 * <p>Transfer from a teacher: only the stem (its convolution and batch norm) has the same shapes in both
 * families, so only the stem transfers; see {@code io.edgekd.train.distill.Transfer}. A strided student stem still
 * takes the teacher's stem weights (stride does not change their shape).
 *
 * <p>Thread safety: immutable.
 */
public final class StudentNetwork implements NetworkFamily {
    /** Shorter input side, in pixels, from which the automatic stem has stride 2. */
    public static final int STRIDED_STEM_MIN_SIDE = 64;
    /** The automatic stage count brings the shorter side down to at most this many pixels. */
    public static final int FINAL_MAP_MAX_SIDE = 8;
    /** Value of {@link Builder#stages(int)} and {@link Builder#stemStride(int)} that means "chosen from the input size". */
    public static final int AUTO = 0;

    private final int stemFilters;
    private final int stemStride;
    private final double widthMultiplier;
    private final int stages;
    private final int blocksPerStage;
    private final boolean relu6;
    private final boolean depthwiseBatchNorm;

    private StudentNetwork(Builder b) {
        this.stemFilters = b.stemFilters;
        this.stemStride = b.stemStride;
        this.widthMultiplier = b.widthMultiplier;
        this.stages = b.stages;
        this.blocksPerStage = b.blocksPerStage;
        this.relu6 = b.relu6;
        this.depthwiseBatchNorm = b.depthwiseBatchNorm;
    }

    /**
     * @return a builder with the defaults: stem 32, width 1, stem stride and stage count chosen from the input size,
     *         2 blocks per stage, ReLU6, linear depthwise
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "student";
    }

    @Override
    public int stemFilters() {
        return stemFilters;
    }

    /**
     * @param input input size
     * @return the stem's stride for that input: the builder's, or 2 from {@value #STRIDED_STEM_MIN_SIDE} pixels up
     */
    public int stemStride(InputShape input) {
        if (stemStride != AUTO) {
            return stemStride;
        }
        return Math.min(input.height(), input.width()) >= STRIDED_STEM_MIN_SIDE ? 2 : 1;
    }

    /**
     * @param input input size
     * @return the stage count for that input: the builder's, or the fewest (at least 2) that bring the shorter side
     *         to at most {@value #FINAL_MAP_MAX_SIDE} pixels after the stem
     */
    public int stages(InputShape input) {
        if (stages != AUTO) {
            return stages;
        }
        int side = ceilDiv(Math.min(input.height(), input.width()), stemStride(input));
        int n = 2;
        while (ceilDiv(side, 1 << n) > FINAL_MAP_MAX_SIDE) {
            n++;
        }
        return n;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public List<Layer> hiddenLayers(InputShape input) {
        int stride = stemStride(input);
        List<Layer> layers = new ArrayList<>();
        if (stride == 1) {
            layers.addAll(Networks.stem(stemFilters));
        } else {
            // The shared stem's three layers, names and shapes, with a stride: transfer from a teacher still applies.
            layers.add(new ConvolutionLayer.Builder(3, 3).name("stem_conv").nOut(stemFilters).stride(stride, stride)
                    .hasBias(false).activation(Activation.IDENTITY).build());
            layers.add(new BatchNormalization.Builder().name("stem_bn").build());
            layers.add(new ActivationLayer.Builder().name("stem_relu").activation(Activation.RELU).build());
        }
        Activation act = relu6 ? Activation.RELU6 : Activation.RELU;
        int stages = stages(input);
        for (int s = 0; s < stages; s++) {
            int channels = Math.max(4, (int) Math.round((64 << s) * widthMultiplier));
            for (int b = 0; b < blocksPerStage; b++) {
                String n = "stage" + (s + 1) + "_block" + (b + 1);
                int dwStride = b == 0 ? 2 : 1;
                layers.add(new DepthwiseConvolution2D.Builder(3, 3).name(n + "_dw").stride(dwStride, dwStride).depthMultiplier(1)
                        .hasBias(false).activation(Activation.IDENTITY).build());
                if (depthwiseBatchNorm) {
                    layers.add(new BatchNormalization.Builder().name(n + "_dw_bn").build());
                    layers.add(new ActivationLayer.Builder().name(n + "_dw_act").activation(act).build());
                }
                layers.add(new ConvolutionLayer.Builder(1, 1).name(n + "_pw").nOut(channels).hasBias(false)
                        .activation(Activation.IDENTITY).build());
                layers.add(new BatchNormalization.Builder().name(n + "_pw_bn").build());
                layers.add(new ActivationLayer.Builder().name(n + "_pw_act").activation(act).build());
            }
        }
        layers.add(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("head_gap").build());
        return layers;
    }

    @Override
    public String describe() {
        // Fixed settings print as before; automatic ones say so (the input size, kept in the model's spec, decides them).
        String stageText = stages == AUTO ? "auto" : Integer.toString(stages);
        String strideText = stemStride == AUTO ? "" : ", stemStride=" + stemStride;
        return String.format(Locale.ROOT, "student(stem=%d%s, width=%s, stages=%s, blocksPerStage=%d, act=%s, dwBatchNorm=%s)",
                stemFilters, strideText, widthMultiplier, stageText, blocksPerStage, relu6 ? "relu6" : "relu", depthwiseBatchNorm);
    }

    /**
     * Builds a {@link StudentNetwork}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private int stemFilters = 32;
        private int stemStride = AUTO;
        private double widthMultiplier = 1.0;
        private int stages = AUTO;
        private int blocksPerStage = 2;
        private boolean relu6 = true;
        private boolean depthwiseBatchNorm;

        private Builder() {
        }

        /** @param filters stem filters (must equal the teacher's for transfer) @return this */
        public Builder stemFilters(int filters) {
            this.stemFilters = filters;
            return this;
        }

        /**
         * @param stride the stem convolution's stride (1 or 2), or {@link #AUTO} (the default) for 2 from
         *               {@value #STRIDED_STEM_MIN_SIDE} pixels up
         * @return this
         */
        public Builder stemStride(int stride) {
            this.stemStride = stride;
            return this;
        }

        /** @param alpha width multiplier of the stages (1 = 64, 128, ...) @return this */
        public Builder widthMultiplier(double alpha) {
            this.widthMultiplier = alpha;
            return this;
        }

        /**
         * @param n stages, each halving the resolution, or {@link #AUTO} (the default) for as many as bring the
         *          shorter side to at most {@value #FINAL_MAP_MAX_SIDE} pixels (at least 2)
         * @return this
         */
        public Builder stages(int n) {
            this.stages = n;
            return this;
        }

        /** @param n depthwise-separable blocks per stage (depth) @return this */
        public Builder blocksPerStage(int n) {
            this.blocksPerStage = n;
            return this;
        }

        /** @param use ReLU6 (default) rather than ReLU in the blocks @return this */
        public Builder relu6(boolean use) {
            this.relu6 = use;
            return this;
        }

        /**
         * @param use put batch norm and an activation between the depthwise and the pointwise convolution
         *            (MobileNet v1) rather than leaving the pair linear (Xception; the default, which trains
         *            about 1.7 times faster here at the same accuracy)
         * @return this
         */
        public Builder depthwiseBatchNorm(boolean use) {
            this.depthwiseBatchNorm = use;
            return this;
        }

        /** @return the family */
        public StudentNetwork build() {
            if (stemFilters < 1 || stages < 0 || blocksPerStage < 1 || !(widthMultiplier > 0)) {
                throw new IllegalArgumentException("student: expected positive stem filters, width and blocks and stages >= 0 (0 = auto), found "
                        + stemFilters + ", " + widthMultiplier + ", " + blocksPerStage + ", " + stages);
            }
            if (stemStride < 0 || stemStride > 2) {
                throw new IllegalArgumentException("student: expected stem stride 1, 2 or 0 (auto), found " + stemStride);
            }
            return new StudentNetwork(this);
        }
    }
}
