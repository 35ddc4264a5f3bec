package io.edgekd.train.export;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model with preprocessing fused into the graph, fed raw uint8 frames, gives what the plain model gives on the
 * same frames prepared by core's {@link FramePreprocessor}: probabilities within 1e-4 (absolute).
 */
class FusedPreprocessingTest {
    private static final double TOLERANCE = 1e-4;
    private static final int FRAMES = 4;

    private static MultiLayerNetwork net(int c, int h, int w, int classes, long seed) {
        return ExportTestSupport.init(ExportTestSupport.base(seed, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(8).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(ExportTestSupport.logitsOutput(classes)), c, h, w, CNN2DFormat.NCHW, seed);
    }

    private static byte[] frames(int n, int h, int w, int c, long seed) {
        byte[] f = new byte[n * h * w * c];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < f.length; i++) {
            f[i] = (byte) r.nextInt(256);
        }
        return f;
    }

    /** The plain model's input for packed frames, prepared by core's preprocessor. */
    private static float[] preprocess(ModelSpec spec, byte[] frames, int n, PixelFormat format) {
        FramePreprocessor pre = new FramePreprocessor(spec);
        FloatBuffer out = FloatBuffer.allocate(n * spec.imageSize());
        int frameBytes = spec.height() * spec.width() * format.bytesPerPixel();
        for (int b = 0; b < n; b++) {
            pre.toFloatNchw(frames, b * frameBytes, spec.width(), spec.height(), spec.width() * format.bytesPerPixel(), format, out,
                    b * spec.imageSize());
        }
        return out.array();
    }

    private static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void bgrFramesIntoAFusedRgbModelMatchThePreprocessorAndThePlainModel() throws Exception {
        int h = 10;
        int w = 12;
        MultiLayerNetwork net = net(3, h, w, 5, 31);
        ModelSpec spec = ExportTestSupport.spec(3, h, w, 5);
        ExportResult plain = new OnnxExporter().toBytes(net, spec);
        ExportResult fused = new OnnxExporter(ExportOptions.builder().fusePreprocessing(true).inputOrder(PixelOrder.BGR).build())
                .toBytes(net, spec);

        ModelSpec fs = fused.spec();
        assertEquals(InputForm.UINT8_NHWC, fs.inputForm());
        assertEquals(PixelOrder.BGR, fs.pixelOrder());
        // Normalisation is recorded in the order the graph accepts: blue first.
        assertEquals(spec.normalization().mean(2), fs.normalization().mean(0));
        assertEquals(spec.normalization().std(0), fs.normalization().std(2));
        assertEquals(List.of("Cast", "Gather", "Mul", "Add", "Transpose"), fused.operators().subList(0, 5));

        byte[] bgr = frames(FRAMES, h, w, 3, 32);
        float[] viaPreprocessor = ExportTestSupport.runFloat(plain.modelBytes(), spec.inputName(),
                preprocess(plain.spec(), bgr, FRAMES, PixelFormat.BGR24), FRAMES, 3, h, w).get(spec.outputName());
        float[] viaGraph = ExportTestSupport.runBytes(fused.modelBytes(), spec.inputName(), bgr, FRAMES, h, w, 3).get(spec.outputName());
        double d = maxDiff(viaPreprocessor, viaGraph);
        System.out.println("fused rgb model, bgr frames: max |dp| " + d);
        assertTrue(d <= TOLERANCE, "max |dp| " + d);

        // The device path: EdgeClassifier reads the fused spec back and feeds BGR24 frames straight in.
        EdgeOptions ort = EdgeOptions.builder().warmupRuns(0).build();
        try (EdgeClassifier a = EdgeClassifier.open(plain.modelBytes(), null, ort);
             EdgeClassifier b = EdgeClassifier.open(fused.modelBytes(), null, ort);
             EdgeRunner ra = a.newRunner(FRAMES);
             EdgeRunner rb = b.newRunner(FRAMES)) {
            for (int i = 0; i < FRAMES; i++) {
                ra.put(i, bgr, i * h * w * 3, w, h, w * 3, PixelFormat.BGR24);
                rb.put(i, bgr, i * h * w * 3, w, h, w * 3, PixelFormat.BGR24);
            }
            ra.run();
            rb.run();
            float[] pa = new float[FRAMES * 5];
            float[] pb = new float[FRAMES * 5];
            ra.probabilities().get(0, pa);
            rb.probabilities().get(0, pb);
            assertTrue(maxDiff(pa, pb) <= TOLERANCE, "EdgeClassifier plain vs fused: " + maxDiff(pa, pb));
            Classification ca = a.newResult(1);
            Classification cb = b.newResult(1);
            ra.result(0, ca);
            rb.result(0, cb);
            assertEquals(ca.label(0), cb.label(0));
        }
    }

    @Test
    void grayFramesIntoAFusedGrayModelMatchThePreprocessorAndThePlainModel() throws Exception {
        int h = 9;
        int w = 7;
        MultiLayerNetwork net = net(1, h, w, 3, 41);
        ModelSpec spec = ExportTestSupport.spec(1, h, w, 3);
        ExportResult plain = new OnnxExporter().toBytes(net, spec);
        ExportResult fused = new OnnxExporter(ExportOptions.builder().fusePreprocessing(true).build()).toBytes(net, spec);
        assertEquals(PixelOrder.GRAY, fused.spec().pixelOrder());
        assertFalse(fused.operators().contains("Gather"), "no reorder for one channel: " + fused.operators());

        byte[] gray = frames(FRAMES, h, w, 1, 42);
        float[] viaPreprocessor = ExportTestSupport.runFloat(plain.modelBytes(), spec.inputName(),
                preprocess(plain.spec(), gray, FRAMES, PixelFormat.GRAY8), FRAMES, 1, h, w).get(spec.outputName());
        float[] viaGraph = ExportTestSupport.runBytes(fused.modelBytes(), spec.inputName(), gray, FRAMES, h, w, 1).get(spec.outputName());
        double d = maxDiff(viaPreprocessor, viaGraph);
        System.out.println("fused gray model: max |dp| " + d);
        assertTrue(d <= TOLERANCE, "max |dp| " + d);
    }

    @Test
    void aFloatGraphCanAcceptTheOtherChannelOrder() throws Exception {
        int h = 8;
        int w = 8;
        MultiLayerNetwork net = net(3, h, w, 2, 51);
        ModelSpec spec = ExportTestSupport.spec(3, h, w, 2);
        ExportResult rgb = new OnnxExporter().toBytes(net, spec);
        ExportResult bgr = new OnnxExporter(ExportOptions.builder().inputOrder(PixelOrder.BGR).build()).toBytes(net, spec);
        assertEquals(InputForm.FLOAT_NCHW, bgr.spec().inputForm());
        assertEquals(PixelOrder.BGR, bgr.spec().pixelOrder());
        assertEquals("Gather", bgr.operators().get(0));

        // The same BGR24 frames, each model fed what the preprocessor makes of them for its own spec.
        byte[] frames = frames(FRAMES, h, w, 3, 52);
        Map<String, float[]> a = ExportTestSupport.runFloat(rgb.modelBytes(), spec.inputName(),
                preprocess(rgb.spec(), frames, FRAMES, PixelFormat.BGR24), FRAMES, 3, h, w);
        Map<String, float[]> b = ExportTestSupport.runFloat(bgr.modelBytes(), spec.inputName(),
                preprocess(bgr.spec(), frames, FRAMES, PixelFormat.BGR24), FRAMES, 3, h, w);
        double d = maxDiff(a.get(spec.outputName()), b.get(spec.outputName()));
        assertTrue(d <= TOLERANCE, "max |dp| " + d);
    }
}
