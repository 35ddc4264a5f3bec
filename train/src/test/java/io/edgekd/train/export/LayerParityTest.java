package io.edgekd.train.export;

import io.edgekd.core.spec.ModelSpec;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.edgekd.train.export.ExportTestSupport.LOGIT_TOLERANCE;
import static io.edgekd.train.export.ExportTestSupport.PROB_TOLERANCE;
import static io.edgekd.train.export.ExportTestSupport.base;
import static io.edgekd.train.export.ExportTestSupport.init;
import static io.edgekd.train.export.ExportTestSupport.logitsOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every supported layer type and setting, exported and run in ONNX Runtime against DL4J on random inputs, with
 * batch norm folded and kept: probabilities within {@value ExportTestSupport#PROB_TOLERANCE} (absolute), logits
 * within {@value ExportTestSupport#LOGIT_TOLERANCE} relative to max(1, |logit|), identical top class.
 */
class LayerParityTest {
    private static final int SAMPLES = 6;

    /**
     * A hand-built network.
     *
     * @param name          what it exercises
     * @param nhwc          whether the DL4J network is NHWC
     * @param endsInSoftmax whether its output layer applies softmax itself
     * @param spec          its spec
     * @param net           builds it
     */
    record Case(String name, boolean nhwc, boolean endsInSoftmax, ModelSpec spec, Supplier<MultiLayerNetwork> net) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("same-odd: conv+bias+relu, bn, relu6, maxpool, conv s2 no bias, bn, leaky relu 0.1, gap (1x13x11, 3 classes)",
                        false, false, ExportTestSupport.spec(1, 13, 11, 3), () -> init(base(1, ConvolutionMode.Same).list()
                        .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU6).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build())
                        .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(8).hasBias(false).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(new ActivationLReLU(0.1)).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(3)), 1, 13, 11, CNN2DFormat.NCHW, 11)),
                new Case("same-even-k4: conv k4 (pad 1 top/left, 2 bottom/right), avgpool 3x3 s2 same, bn (3x16x14, 5 classes)",
                        false, false, ExportTestSupport.spec(3, 16, 14, 5), () -> init(base(2, ConvolutionMode.Same).list()
                        .layer(new ConvolutionLayer.Builder(4, 4).nOut(5).activation(Activation.RELU).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {3, 3}, new int[] {2, 2}).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(5)), 3, 16, 14, CNN2DFormat.NCHW, 12)),
                new Case("truncate: dilated conv p2, conv s2 p1, avgpool 3x3 s2 p1, bn, flatten, dense, dropout (3x15x15, 5 classes)",
                        false, false, ExportTestSupport.spec(3, 15, 15, 5), () -> init(base(3, ConvolutionMode.Truncate).list()
                        .layer(new ConvolutionLayer.Builder(3, 3).dilation(2, 2).padding(2, 2).nOut(4).activation(Activation.RELU).build())
                        .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(6).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {3, 3}, new int[] {2, 2})
                                .padding(1, 1).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                        .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                        .layer(new DropoutLayer.Builder(0.7).build())
                        .layer(logitsOutput(5)), 3, 15, 15, CNN2DFormat.NCHW, 13)),
                new Case("strict: conv s2 p1, bn, maxpool 3x3 s2, global max pool (3x9x9, 2 classes)",
                        false, false, ExportTestSupport.spec(3, 9, 9, 2), () -> init(base(4, ConvolutionMode.Strict).list()
                        .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(6).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.LEAKYRELU).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {3, 3}, new int[] {2, 2}).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                        .layer(logitsOutput(2)), 3, 9, 9, CNN2DFormat.NCHW, 14)),
                new Case("depthwise: multiplier 2 s2 + bn (folded into a grouped conv), 1x1 conv, depthwise k5 + bias + relu6 (3x17x19, 10 classes)",
                        false, false, ExportTestSupport.spec(3, 17, 19, 10), () -> init(base(5, ConvolutionMode.Same).list()
                        .layer(new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2).depthMultiplier(2).hasBias(false).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                        .layer(new ConvolutionLayer.Builder(1, 1).nOut(8).hasBias(false).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                        .layer(new DepthwiseConvolution2D.Builder(5, 5).depthMultiplier(1).activation(Activation.RELU6).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(10)), 3, 17, 19, CNN2DFormat.NCHW, 15)),
                new Case("separable: SeparableConvolution2D multiplier 2 s2 + bias, bn, relu; separable no bias + relu (3x12x10, 3 classes)",
                        false, false, ExportTestSupport.spec(3, 12, 10, 3), () -> init(base(6, ConvolutionMode.Same).list()
                        .layer(new SeparableConvolution2D.Builder(3, 3).stride(2, 2).depthMultiplier(2).nOut(8).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                        .layer(new SeparableConvolution2D.Builder(3, 3).nOut(6).hasBias(false).activation(Activation.RELU).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(3)), 3, 12, 10, CNN2DFormat.NCHW, 16)),
                new Case("dense: flatten, dense, bn on a flat vector (kept), leaky relu, dense without bias, softmax output layer (1x8x8, 5 classes)",
                        false, true, ExportTestSupport.spec(1, 8, 8, 5), () -> init(base(7, ConvolutionMode.Truncate).list()
                        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                        .layer(new DenseLayer.Builder().nOut(12).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.LEAKYRELU).build())
                        .layer(new DenseLayer.Builder().nOut(10).hasBias(false).activation(Activation.RELU).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build()),
                        1, 8, 8, CNN2DFormat.NCHW, 17)),
                new Case("batch norm first (on the input) and after an activation: never folded (3x7x7, 2 classes)",
                        false, false, ExportTestSupport.spec(3, 7, 7, 2), () -> init(base(8, ConvolutionMode.Same).list()
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.RELU).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(2)), 3, 7, 7, CNN2DFormat.NCHW, 18)),
                new Case("nhwc: conv, bn, maxpool, conv, flatten (H,W,C order permuted), dense (3x9x7, 3 classes)",
                        true, false, ExportTestSupport.spec(3, 9, 7, 3), () -> init(base(9, ConvolutionMode.Same).list()
                        .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).build())
                        .layer(new BatchNormalization.Builder().build())
                        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build())
                        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                        .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                        .layer(logitsOutput(3)), 3, 9, 7, CNN2DFormat.NHWC, 19)),
                new Case("nhwc: depthwise multiplier 2 s2, separable, gap (1x11x11, 10 classes)",
                        true, false, ExportTestSupport.spec(1, 11, 11, 10), () -> init(base(10, ConvolutionMode.Same).list()
                        .layer(new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2).depthMultiplier(2).activation(Activation.RELU).build())
                        .layer(new SeparableConvolution2D.Builder(3, 3).nOut(6).activation(Activation.RELU).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(logitsOutput(10)), 1, 11, 11, CNN2DFormat.NHWC, 20)));
    }

    static Stream<Arguments> casesWithFolding() {
        return cases().stream().flatMap(c -> Stream.of(Arguments.of(c, true), Arguments.of(c, false)));
    }

    @ParameterizedTest(name = "{0}, fold batch norm {1}")
    @MethodSource("casesWithFolding")
    void onnxRuntimeMatchesDl4j(Case c, boolean fold) throws Exception {
        MultiLayerNetwork net = c.net().get();
        ExportTestSupport.Parity p = ExportTestSupport.parity(net, c.spec(), ExportOptions.builder().foldBatchNorm(fold).build(),
                c.nhwc(), c.endsInSoftmax(), SAMPLES, 99);
        System.out.println("parity [" + c.name() + ", fold=" + fold + "]: " + p.describe());
        assertTrue(p.maxProbDiff() <= PROB_TOLERANCE, "max |dp| " + p.maxProbDiff());
        if (!c.endsInSoftmax()) {
            assertTrue(p.maxLogitDiff() <= LOGIT_TOLERANCE, "max rel |dz| " + p.maxLogitDiff());
        }
        assertEquals(0, p.argmaxMismatches(), "samples whose top class differs");
        assertTrue(p.exporterDiff() <= PROB_TOLERANCE, "exporter's own check " + p.exporterDiff());
    }
}
