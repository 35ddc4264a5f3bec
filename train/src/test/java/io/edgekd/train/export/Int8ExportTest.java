package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Precision;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Int8 (QDQ) and float16 exports of a student: the graph's form, the spec they carry, ONNX Runtime running them
 * (and, for int8, turning the QDQ groups into int8 kernels), and every way a quantized export is refused.
 */
class Int8ExportTest {
    private static MultiLayerNetwork student;
    private static ModelSpec spec;
    private static ImageDataset calibrationData;

    @BeforeAll
    static void network() {
        student = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build(), new InputShape(1, 28, 28), 4, 3);
        ExportTestSupport.randomize(student, 5);
        spec = ExportTestSupport.spec(1, 28, 28, 4);
        calibrationData = SyntheticImages.builder().classes(4).size(28, 28).channels(1).perClass(12).seed(2).build();
    }

    static ExportOptions int8(Calibration.Method method, int images) {
        return ExportOptions.builder().precision(Precision.INT8)
                .calibration(Int8Calibration.builder(calibrationData).images(images).method(method).build()).build();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static OnnxMl.ModelProto read(Path p) throws IOException {
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(p));
    }

    private static Set<String> opTypes(OnnxMl.ModelProto m) {
        Set<String> ops = new HashSet<>();
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            ops.add(n.getOpType());
        }
        return ops;
    }

    @Test
    void int8ExportIsSymmetricQdqAndRunsInt8KernelsInOnnxRuntime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("student-int8.onnx");
        ExportResult r = new OnnxExporter(int8(Calibration.Method.MINMAX, 32)).export(student, spec, file);
        System.out.println(r + ", max abs diff " + r.maxAbsDiff());
        assertEquals(8, r.samplesCompared(), "the 8 images calibration left over");
        assertTrue(r.maxAbsDiff() <= ExportOptions.DEFAULT_INT8_TOLERANCE, r.toString());

        OnnxMl.ModelProto m = read(file);
        Set<String> ops = opTypes(m);
        assertTrue(ops.containsAll(Set.of("QuantizeLinear", "DequantizeLinear", "Conv", "Gemm", "Softmax", "LeakyRelu")), ops.toString());
        assertFalse(ops.contains("QLinearConv") || ops.contains("ConvInteger"), "QDQ only, no QOperator nodes: " + ops);
        int convs = 0;
        java.util.Map<String, OnnxMl.TensorProto> inits = new java.util.HashMap<>();
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            inits.put(t.getName(), t);
        }
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear") || n.getOpType().equals("DequantizeLinear")) {
                // Symmetric: every zero point given is 0; convolution weights and biases leave theirs out (default 0).
                if (n.getInputCount() == 3) {
                    OnnxMl.TensorProto zp = inits.get(n.getInput(2));
                    assertTrue(zp.getDataType() == OnnxMl.TensorProto.DataType.INT8_VALUE
                            || zp.getDataType() == OnnxMl.TensorProto.DataType.INT32_VALUE, n.toString());
                    for (byte b : zp.getRawData().toByteArray()) {
                        assertEquals(0, b, zp.getName());
                    }
                } else {
                    assertEquals(2, n.getInputCount(), n.toString());
                    int type = inits.get(n.getInput(0)).getDataType();
                    assertTrue(type == OnnxMl.TensorProto.DataType.INT8_VALUE || type == OnnxMl.TensorProto.DataType.INT32_VALUE, n.toString());
                }
            }
        }
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            if (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) {
                convs++;
                // Every input of a convolution or dense layer, weights and bias included, comes out of a DequantizeLinear.
                for (String in : n.getInputList()) {
                    assertTrue(in.endsWith("_dq"), n.getName() + " reads " + in);
                }
            }
        }
        assertEquals(10, convs, "stem + 2 stages x 2 blocks x (dw + pw) = 9 Conv, and the Gemm: " + ops);
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            assertFalse(t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 4,
                    "no float convolution weights left: " + t.getName());
        }

        Path optimized = dir.resolve("optimized.onnx");
        try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().warmupRuns(1).optimizedModelPath(optimized).build())) {
            assertEquals(Precision.INT8, c.spec().precision());
            Calibration cal = c.spec().calibration();
            assertNotNull(cal);
            assertEquals(Calibration.Method.MINMAX, cal.method());
            assertEquals(32, cal.images());
            assertEquals(calibrationData.shuffle(1).range(0, 32).fingerprint(), cal.dataFingerprint());
        }
        Set<String> kernels = opTypes(read(optimized));
        System.out.println("ONNX Runtime's optimised int8 graph: " + kernels);
        assertTrue(kernels.contains("QLinearConv"), "expected ONNX Runtime to fuse the QDQ convolutions into QLinearConv, found " + kernels);
        assertTrue(kernels.contains("QGemm"), "and the dense layer into QGemm: " + kernels);
        assertTrue(kernels.contains("QLinearLeakyRelu") && !kernels.contains("Relu"),
                "the rectifiers between quantized convolutions run on int8 too: " + kernels);
        assertFalse(kernels.contains("Conv") || kernels.contains("Gemm"), "every convolution and dense layer runs in int8: " + kernels);
    }

    @Test
    void unsignedActivationsFoldTheRectifiersIntoTheConvolutions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("student-int8u.onnx");
        ExportOptions options = ExportOptions.builder().precision(Precision.INT8).calibration(Int8Calibration.builder(calibrationData)
                .images(32).activations(Calibration.Activations.UNSIGNED).build()).build();
        ExportResult r = new OnnxExporter(options).export(student, spec, file);
        System.out.println(r + ", max abs diff " + r.maxAbsDiff());
        assertEquals(8, r.samplesCompared());
        assertTrue(r.maxAbsDiff() <= ExportOptions.DEFAULT_INT8_TOLERANCE, r.toString());

        OnnxMl.ModelProto m = read(file);
        java.util.Map<String, OnnxMl.TensorProto> inits = new java.util.HashMap<>();
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            inits.put(t.getName(), t);
        }
        java.util.Map<String, OnnxMl.NodeProto> producer = new java.util.HashMap<>();
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            producer.put(n.getOutput(0), n);
        }
        int positive = 0;
        int offset = 0;
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            if (!n.getOpType().equals("QuantizeLinear")) {
                continue;
            }
            // Activations are uint8: zero point 0 right after a rectifier (range [0, T]), 128 everywhere else.
            OnnxMl.TensorProto zp = inits.get(n.getInput(2));
            assertEquals(OnnxMl.TensorProto.DataType.UINT8_VALUE, zp.getDataType(), n.toString());
            int z = zp.getRawData().byteAt(0) & 0xff;
            OnnxMl.NodeProto from = producer.get(n.getInput(0));
            boolean afterRectifier = from != null && (from.getOpType().equals("Relu") || from.getOpType().equals("Clip"));
            assertEquals(afterRectifier ? 0 : 128, z, n.getInput(0) + " made by " + (from == null ? "the input" : from.getOpType()));
            if (afterRectifier) {
                positive++;
                // ... and the convolution before the rectifier is not quantized itself: it feeds the rectifier directly.
                OnnxMl.NodeProto conv = producer.get(from.getInput(0));
                assertEquals("Conv", conv.getOpType(), from.toString());
            } else {
                offset++;
            }
        }
        assertTrue(positive >= 4 && offset >= 1, positive + " rectified, " + offset + " other quantized activations");
        assertFalse(opTypes(m).contains("LeakyRelu"), "the rectifiers stay as they are: " + opTypes(m));

        Path optimized = dir.resolve("optimized.onnx");
        try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().warmupRuns(1).optimizedModelPath(optimized).build())) {
            assertEquals(Calibration.Activations.UNSIGNED, c.spec().calibration().activations());
        }
        OnnxMl.ModelProto opt = read(optimized);
        Set<String> kernels = opTypes(opt);
        System.out.println("ONNX Runtime's optimised unsigned int8 graph: " + kernels);
        assertTrue(kernels.contains("QLinearConv") && kernels.contains("QGemm"), kernels.toString());
        assertFalse(kernels.contains("Conv") || kernels.contains("Gemm") || kernels.contains("QLinearLeakyRelu"),
                "every convolution in int8, no separate int8 rectifier pass: " + kernels);
        long rectifiers = opt.getGraph().getNodeList().stream().filter(n -> Set.of("Relu", "Clip").contains(n.getOpType())).count();
        assertTrue(rectifiers <= 1, "only the rectifier before global pooling (its output stays float) is left: " + kernels);
    }

    @Test
    void everyCalibrationMethodGivesAWorkingModelAndRecordsItself() throws Exception {
        List<Float> inputThresholds = new ArrayList<>();
        List<Double> activationThresholds = new ArrayList<>();
        for (Calibration.Method method : Calibration.Method.values()) {
            ExportResult r = new OnnxExporter(int8(method, 32)).toBytes(student, spec);
            assertEquals(method, r.spec().calibration().method());
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(r.modelBytes());
            double sum = 0;
            for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
                boolean scalarScale = t.getName().endsWith("_scale") && t.getDimsCount() == 0;
                if (t.getName().equals("input_scale")) {
                    inputThresholds.add(QdqQuantizer.floats(t)[0] * QdqQuantizer.QMAX);
                } else if (scalarScale) {
                    sum += QdqQuantizer.floats(t)[0] * QdqQuantizer.QMAX;
                }
            }
            activationThresholds.add(sum);
            System.out.println(method.key() + ": " + r);
        }
        assertEquals(3, inputThresholds.size(), inputThresholds.toString());
        // The image keeps its whole range with every method; inside the network percentile and entropy clip, minmax does not.
        assertEquals(inputThresholds.get(0), inputThresholds.get(1));
        assertEquals(inputThresholds.get(0), inputThresholds.get(2));
        assertTrue(activationThresholds.get(1) < activationThresholds.get(0) && activationThresholds.get(2) < activationThresholds.get(0),
                activationThresholds.toString());
    }

    @Test
    void float16ExportKeepsFloat32InputAndOutput(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("student-fp16.onnx");
        ExportResult r = new OnnxExporter(ExportOptions.builder().precision(Precision.FLOAT16).logits(true).build())
                .export(student, spec, file);
        System.out.println(r);
        assertTrue(r.maxAbsDiff() <= ExportOptions.DEFAULT_FLOAT16_TOLERANCE, r.toString());
        OnnxMl.ModelProto m = read(file);
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            assertTrue(t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE, "float32 initializer left: " + t.getName());
        }
        assertEquals(OnnxMl.TensorProto.DataType.FLOAT_VALUE, m.getGraph().getInput(0).getType().getTensorType().getElemType());
        for (OnnxMl.ValueInfoProto o : m.getGraph().getOutputList()) {
            assertEquals(OnnxMl.TensorProto.DataType.FLOAT_VALUE, o.getType().getTensorType().getElemType(), o.getName());
        }
        List<OnnxMl.NodeProto> nodes = m.getGraph().getNodeList();
        assertEquals("Cast", nodes.get(0).getOpType());
        assertEquals("Cast", nodes.get(nodes.size() - 1).getOpType());
        try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().warmupRuns(1).build())) {
            assertEquals(Precision.FLOAT16, c.spec().precision());
            assertEquals(null, c.spec().calibration());
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        assertEquals((short) 0x3C00, Float16Converter.toHalf(1f));
        assertEquals((short) 0xC000, Float16Converter.toHalf(-2f));
        assertEquals((short) 0x7BFF, Float16Converter.toHalf(65504f));
        assertEquals((short) 0x7C00, Float16Converter.toHalf(65520f), "rounds up to infinity");
        assertEquals((short) 0x3555, Float16Converter.toHalf(1f / 3));
        assertEquals((short) 0x0001, Float16Converter.toHalf(5.9604645e-8f), "smallest subnormal");
        assertEquals((short) 0x0000, Float16Converter.toHalf(2.9802322e-8f), "half the smallest subnormal ties to even zero");
        assertEquals((short) 0x0400, Float16Converter.toHalf(6.1035156e-5f), "smallest normal");
        assertEquals((short) 0x3C00, Float16Converter.toHalf(1.00048828125f), "tie between 1 and 1+2^-10 goes to even 1");
        assertEquals((short) 0x3C02, Float16Converter.toHalf(1.00146484375f), "tie between 1+2^-10 and 1+2^-9 goes to even");
        assertEquals(0x7E00, Float16Converter.toHalf(Float.NaN) & 0x7E00, "NaN stays NaN");
    }

    @Test
    void calibrationImagesOfTheWrongSizeOrChannelsAreRefusedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        ImageDataset colour = SyntheticImages.builder().classes(4).size(16, 16).channels(3).perClass(10).seed(1).build();
        ExportOptions o = ExportOptions.builder().precision(Precision.INT8).calibration(Int8Calibration.builder(colour).images(16).build()).build();
        ExportException e = assertThrows(ExportException.class, () -> new OnnxExporter(o).export(student, spec, dir.resolve("m.onnx")));
        assertTrue(e.getMessage().contains("calibration data: expected 1x28x28 images (the model's input, CxHxW), found 3x16x16"),
                e.getMessage());
        assertEquals(List.of(), files(dir));
    }

    @Test
    void tooFewCalibrationImagesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Int8Calibration.builder(calibrationData).images(500).build());
        assertTrue(e.getMessage().contains("expected a dataset of at least 500 images, found 48"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Int8Calibration.builder(calibrationData).images(4));
        assertTrue(e.getMessage().contains("expected at least 16, found 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().precision(Precision.INT8).build());
        assertTrue(e.getMessage().contains("expected a calibration"), e.getMessage());
    }

    @Test
    void anUnsupportedLayerIsRefusedBeforeCalibration(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = ExportTestSupport.init(ExportTestSupport.base(1, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new ActivationLayer.Builder().name("squash").activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(ExportTestSupport.logitsOutput(4)), 1, 28, 28, CNN2DFormat.NCHW, 1);
        ExportException e = assertThrows(ExportException.class,
                () -> new OnnxExporter(int8(Calibration.Method.ENTROPY, 16)).export(net, spec, dir.resolve("m.onnx")));
        assertTrue(e.getMessage().contains("layer 1 (ActivationLayer 'squash')") && e.getMessage().contains("supported:"), e.getMessage());
        assertEquals(List.of(), files(dir));
    }

    private static double gaussian(java.util.SplittableRandom r) {
        // Box-Muller.
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void histogramThresholds() {
        ActivationHistogram h = new ActivationHistogram();
        float[] v = new float[100_001];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / 100_000f; // uniform on [0, 1]
        }
        v[0] = -50f; // one outlier
        h.observeRange(v, 0, v.length);
        h.observeHistogram(v, 0, v.length);
        assertEquals(50f, h.threshold(Calibration.Method.MINMAX, 0), 0f);
        // 99.99th percentile of |v|: the outlier is 1 in 100,001 values, so the threshold stays at the uniform part's top.
        float p = h.threshold(Calibration.Method.PERCENTILE, 99.99);
        assertTrue(p >= 0.99f && p <= 1.05f, "percentile threshold " + p);
        // Entropy on a bell-shaped activation (|N(0, 1)|) with rare outliers at 50: it clips well below the outliers
        // but keeps the bulk (99.99% of |N(0, 1)| lies below 3.9).
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] g = new float[200_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = i % 20_000 == 0 ? 50f : (float) gaussian(random);
        }
        ActivationHistogram bell = new ActivationHistogram();
        bell.observeRange(g, 0, g.length);
        bell.observeHistogram(g, 0, g.length);
        float kl = bell.threshold(Calibration.Method.ENTROPY, 0);
        System.out.println("entropy threshold of |N(0,1)| with outliers at 50: " + kl);
        assertTrue(kl >= 2.5f && kl <= 25f, "entropy threshold " + kl);
        ActivationHistogram zeros = new ActivationHistogram();
        zeros.observeRange(new float[8], 0, 8);
        zeros.observeHistogram(new float[8], 0, 8);
        assertEquals(ActivationHistogram.MIN_THRESHOLD, zeros.threshold(Calibration.Method.ENTROPY, 0), 0f);
    }
}
