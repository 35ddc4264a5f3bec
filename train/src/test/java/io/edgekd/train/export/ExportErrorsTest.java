package io.edgekd.train.export;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each way an export can be refused or fail gives a clear {@link ExportException} and leaves no file behind. */
class ExportErrorsTest {
    private static MultiLayerNetwork small(int c, int h, int w, int classes) {
        return ExportTestSupport.init(ExportTestSupport.base(1, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(ExportTestSupport.logitsOutput(classes)), c, h, w, CNN2DFormat.NCHW, 1);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static ExportException refused(MultiLayerNetwork net, ModelSpec spec, ExportOptions options, Path out) {
        ExportException e = assertThrows(ExportException.class, () -> new OnnxExporter(options).export(net, spec, out));
        System.out.println("refused: " + e.getMessage());
        return e;
    }

    @Test
    void anUnsupportedLayerSettingNamesTheLayerItsTypeAndTheSupportedSet(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = ExportTestSupport.init(ExportTestSupport.base(1, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new ActivationLayer.Builder().name("squash").activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(ExportTestSupport.logitsOutput(2)), 1, 6, 6, CNN2DFormat.NCHW, 1);
        String m = refused(net, ExportTestSupport.spec(1, 6, 6, 2), ExportOptions.defaults(), dir.resolve("m.onnx")).getMessage();
        assertTrue(m.contains("layer 1 (ActivationLayer 'squash')"), m);
        assertTrue(m.contains("tanh"), m);
        assertTrue(m.contains("supported: ConvolutionLayer"), m);
        assertEquals(List.of(), files(dir));
    }

    @Test
    void anUnsupportedPoolingTypeIsRefused(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = ExportTestSupport.init(ExportTestSupport.base(1, ConvolutionMode.Same).list()
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.PNORM, new int[] {2, 2}, new int[] {2, 2}).pnorm(2).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(ExportTestSupport.logitsOutput(2)), 1, 6, 6, CNN2DFormat.NCHW, 1);
        String m = refused(net, ExportTestSupport.spec(1, 6, 6, 2), ExportOptions.defaults(), dir.resolve("m.onnx")).getMessage();
        assertTrue(m.contains("layer 0 (SubsamplingLayer") && m.contains("PNORM") && m.contains("supported:"), m);
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aNetworkWithoutAnOutputLayerIsRefused(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = ExportTestSupport.init(ExportTestSupport.base(1, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new DenseLayer.Builder().nOut(3).build()), 1, 6, 6, CNN2DFormat.NCHW, 1);
        String m = refused(net, ExportTestSupport.spec(1, 6, 6, 3), ExportOptions.defaults(), dir.resolve("m.onnx")).getMessage();
        assertTrue(m.contains("no output layer") && m.contains("layer 2 (DenseLayer"), m);
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aSpecWhoseLabelsDisagreeWithTheNetworkIsRefused(@TempDir Path dir) throws Exception {
        String m = refused(small(1, 6, 6, 2), ExportTestSupport.spec(1, 6, 6, 3), ExportOptions.defaults(), dir.resolve("m.onnx"))
                .getMessage();
        assertTrue(m.contains("expected 2 labels (the network's outputs), found 3 [c0, c1, c2]"), m);
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aSpecWhoseChannelsDisagreeWithTheFirstConvolutionIsRefused(@TempDir Path dir) throws Exception {
        String m = refused(small(1, 6, 6, 2), ExportTestSupport.spec(3, 6, 6, 2), ExportOptions.defaults(), dir.resolve("m.onnx"))
                .getMessage();
        assertTrue(m.contains("layer 0 (ConvolutionLayer") && m.contains("expected weights for 3 input channel(s)"), m);
    }

    @Test
    void anOutputPathInAMissingFolderIsRefusedBeforeAnyWork(@TempDir Path dir) {
        Path out = dir.resolve("no-such-folder").resolve("m.onnx");
        String m = refused(small(1, 6, 6, 2), ExportTestSupport.spec(1, 6, 6, 2), ExportOptions.defaults(), out).getMessage();
        assertTrue(m.contains("expected an existing folder " + dir.resolve("no-such-folder") + ", found nothing"), m);
        assertTrue(Files.notExists(dir.resolve("no-such-folder")));
    }

    @Test
    void anOutputPathThatIsAFolderIsRefused(@TempDir Path dir) {
        String m = refused(small(1, 6, 6, 2), ExportTestSupport.spec(1, 6, 6, 2), ExportOptions.defaults(), dir).getMessage();
        assertTrue(m.contains("expected a file path, found a folder"), m);
    }

    @Test
    void anInputOrderWithAnotherChannelCountIsRefused(@TempDir Path dir) throws Exception {
        String m = refused(small(1, 6, 6, 2), ExportTestSupport.spec(1, 6, 6, 2), ExportOptions.builder().inputOrder(PixelOrder.BGR).build(),
                dir.resolve("m.onnx")).getMessage();
        assertTrue(m.contains("expected an order with 1 channel(s) like the model's gray, found bgr"), m);
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aFailedComparisonWritesNothingAndKeepsTheOldFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.onnx");
        Files.writeString(out, "previous export");
        // Batch norm folded into the convolutions changes the float arithmetic: no export of this network matches DL4J to
        // 1e-15, so the check must fail.
        MultiLayerNetwork net = io.edgekd.train.network.Networks.build(io.edgekd.train.network.StudentNetwork.builder().stemFilters(8)
                .widthMultiplier(0.25).build(), new io.edgekd.train.network.InputShape(1, 12, 12), 3, 4);
        ExportTestSupport.randomize(net, 4);
        String m = refused(net, ExportTestSupport.spec(1, 12, 12, 3), ExportOptions.builder().tolerance(1e-15).build(), out).getMessage();
        assertTrue(m.contains("expected ONNX Runtime's probabilities within 1.0e-15 of DL4J's on 8 random inputs, found a max abs difference of"), m);
        assertEquals("previous export", Files.readString(out));
        assertEquals(List.of(out), files(dir), "no temporary file left behind");
    }

    @Test
    void optionsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().tolerance(0));
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().tolerance(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().checkSamples(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().modelVersion(0));
        assertEquals("modelVersion: expected at least 1, found 0", e.getMessage());
    }
}
