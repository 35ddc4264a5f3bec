package io.edgekd.train.network;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.Locale;

/**
 * The teacher: a VGG-style CNN with batch norm and dropout.
 *
 * <pre>
 *   stem: conv3x3(S) BN ReLU
 *   stage 1: [conv3x3(64w) BN ReLU] x convsPerStage, maxpool 2x2
 *   stage 2: [conv3x3(128w) BN ReLU] x convsPerStage, maxpool 2x2
 *   head: conv3x3(256w) BN ReLU, global average pool, dropout, dense(denseUnits) ReLU, dropout, output
 * </pre>
 *
 * At 28x28x1 with the defaults (S = 32, w = 1) it has 0.64 M parameters and 101 M multiply-accumulates
 * per image, 35 times the default student; width 0.5 gives 0.18 M and 29 M.
 *
 * <p>Thread safety: immutable.
 */
public final class TeacherNetwork implements NetworkFamily {
    private final int stemFilters;
    private final double width;
    private final int convsPerStage;
    private final double dropout;
    private final int denseUnits;

    private TeacherNetwork(Builder b) {
        this.stemFilters = b.stemFilters;
        this.width = b.width;
        this.convsPerStage = b.convsPerStage;
        this.dropout = b.dropout;
        this.denseUnits = b.denseUnits;
    }

    /** @return a builder with the defaults: stem 32, width 1, 2 convolutions per stage, dropout 0.3, dense 256 */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "teacher";
    }

    @Override
    public int stemFilters() {
        return stemFilters;
    }

    /** @return channel multiplier of the stages */
    public double width() {
        return width;
    }

    private int ch(int base) {
        return Math.max(4, (int) Math.round(base * width));
    }

    @Override
    public List<Layer> hiddenLayers(InputShape input) {
        List<Layer> layers = new java.util.ArrayList<>(Networks.stem(stemFilters));
        int[] stages = {ch(64), ch(128)};
        for (int s = 0; s < stages.length; s++) {
            for (int c = 0; c < convsPerStage; c++) {
                String n = "stage" + (s + 1) + "_conv" + (c + 1);
                layers.add(new ConvolutionLayer.Builder(3, 3).name(n).nOut(stages[s]).hasBias(false).activation(Activation.IDENTITY).build());
                layers.add(new BatchNormalization.Builder().name(n + "_bn").build());
                layers.add(new ActivationLayer.Builder().name(n + "_relu").activation(Activation.RELU).build());
            }
            layers.add(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).name("stage" + (s + 1) + "_pool").build());
        }
        layers.add(new ConvolutionLayer.Builder(3, 3).name("head_conv").nOut(ch(256)).hasBias(false).activation(Activation.IDENTITY).build());
        layers.add(new BatchNormalization.Builder().name("head_bn").build());
        layers.add(new ActivationLayer.Builder().name("head_relu").activation(Activation.RELU).build());
        layers.add(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("head_gap").build());
        if (dropout > 0) {
            layers.add(new DropoutLayer.Builder(1 - dropout).name("head_dropout1").build());
        }
        layers.add(new DenseLayer.Builder().name("head_dense").nOut(denseUnits).activation(Activation.RELU).build());
        if (dropout > 0) {
            layers.add(new DropoutLayer.Builder(1 - dropout).name("head_dropout2").build());
        }
        return layers;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "teacher(stem=%d, width=%s, convsPerStage=%d, dropout=%s, dense=%d)",
                stemFilters, width, convsPerStage, dropout, denseUnits);
    }

    /**
     * Builds a {@link TeacherNetwork}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private int stemFilters = 32;
        private double width = 1.0;
        private int convsPerStage = 2;
        private double dropout = 0.3;
        private int denseUnits = 256;

        private Builder() {
        }

        /** @param filters stem filters (must equal the student's for transfer) @return this */
        public Builder stemFilters(int filters) {
            this.stemFilters = filters;
            return this;
        }

        /** @param w channel multiplier of the stages (1 = 64/128/256) @return this */
        public Builder width(double w) {
            this.width = w;
            return this;
        }

        /** @param n convolutions per stage @return this */
        public Builder convsPerStage(int n) {
            this.convsPerStage = n;
            return this;
        }

        /** @param p drop probability before and after the dense layer, 0 for none @return this */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** @param units width of the dense layer @return this */
        public Builder denseUnits(int units) {
            this.denseUnits = units;
            return this;
        }

        /** @return the family */
        public TeacherNetwork build() {
            if (stemFilters < 1 || convsPerStage < 1 || denseUnits < 1 || !(width > 0)) {
                throw new IllegalArgumentException("teacher: expected positive stem filters, width, convolutions per stage and dense units, found "
                        + stemFilters + ", " + width + ", " + convsPerStage + ", " + denseUnits);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout: expected a probability in [0, 1), found " + dropout);
            }
            return new TeacherNetwork(this);
        }
    }
}
