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
 *   stem: conv3x3(S) BN ReLU                                   (shared with the teacher)
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
 * which is 10–16 times slower to train. At 28x28x1 with the defaults it has 36.6 k parameters (batch-norm statistics
 * included) and 2.9 M multiply-accumulates per image.
 *
 * <p>Transfer from a teacher: only the stem (its convolution and batch norm) has the same shapes in both
 * families, so only the stem transfers; see {@code io.edgekd.train.distill.Transfer}.
 *
 * <p>Thread safety: immutable.
 */
public final class StudentNetwork implements NetworkFamily {
    private final int stemFilters;
    private final double widthMultiplier;
    private final int stages;
    private final int blocksPerStage;
    private final boolean relu6;
    private final boolean depthwiseBatchNorm;

    private StudentNetwork(Builder b) {
        this.stemFilters = b.stemFilters;
        this.widthMultiplier = b.widthMultiplier;
        this.stages = b.stages;
        this.blocksPerStage = b.blocksPerStage;
        this.relu6 = b.relu6;
        this.depthwiseBatchNorm = b.depthwiseBatchNorm;
    }

    /** @return a builder with the defaults: stem 32, width 1, 2 stages of 2 blocks, ReLU6, linear depthwise */
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

    @Override
    public List<Layer> hiddenLayers(InputShape input) {
        List<Layer> layers = new ArrayList<>(Networks.stem(stemFilters));
        Activation act = relu6 ? Activation.RELU6 : Activation.RELU;
        for (int s = 0; s < stages; s++) {
            int channels = Math.max(4, (int) Math.round((64 << s) * widthMultiplier));
            for (int b = 0; b < blocksPerStage; b++) {
                String n = "stage" + (s + 1) + "_block" + (b + 1);
                int stride = b == 0 ? 2 : 1;
                layers.add(new DepthwiseConvolution2D.Builder(3, 3).name(n + "_dw").stride(stride, stride).depthMultiplier(1)
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
        return String.format(Locale.ROOT, "student(stem=%d, width=%s, stages=%d, blocksPerStage=%d, act=%s, dwBatchNorm=%s)",
                stemFilters, widthMultiplier, stages, blocksPerStage, relu6 ? "relu6" : "relu", depthwiseBatchNorm);
    }

    /**
     * Builds a {@link StudentNetwork}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private int stemFilters = 32;
        private double widthMultiplier = 1.0;
        private int stages = 2;
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

        /** @param alpha width multiplier of the stages (1 = 64, 128, ...) @return this */
        public Builder widthMultiplier(double alpha) {
            this.widthMultiplier = alpha;
            return this;
        }

        /** @param n stages, each halving the resolution @return this */
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
            if (stemFilters < 1 || stages < 1 || blocksPerStage < 1 || !(widthMultiplier > 0)) {
                throw new IllegalArgumentException("student: expected positive stem filters, width, stages and blocks, found "
                        + stemFilters + ", " + widthMultiplier + ", " + stages + ", " + blocksPerStage);
            }
            return new StudentNetwork(this);
        }
    }
}
