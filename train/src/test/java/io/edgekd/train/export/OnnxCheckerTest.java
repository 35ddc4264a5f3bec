package io.edgekd.train.export;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.Precision;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Exported files pass an independent validator: {@code onnx.checker.check_model(model, full_check=True)} (with
 * strict shape inference) of Debian's {@code python3-onnx}. Skipped where {@code /usr/bin/python3 -c "import onnx"}
 * fails.
 */
class OnnxCheckerTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String CHECK = String.join("\n",
            "import sys, onnx",
            "for path in sys.argv[1:]:",
            "    m = onnx.load(path)",
            "    onnx.checker.check_model(m, full_check=True)",
            "    print('ok', path, m.ir_version, [o.version for o in m.opset_import])");

    @BeforeAll
    static void onnxIsInstalled() throws Exception {
        assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is not installed");
        Process p = new ProcessBuilder(PYTHON, "-c", "import onnx").redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assumeTrue(done && p.exitValue() == 0, "python3-onnx is not installed (apt-get install python3-onnx)");
    }

    @Test
    void exportedModelsPassTheOnnxChecker(@TempDir Path dir) throws Exception {
        // Between them these use every operator the exporter emits: Conv (plain and grouped), BatchNormalization,
        // Relu, Clip, LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten, Gemm, Softmax,
        // Identity, Cast, Gather, Mul, Add, Transpose.
        MultiLayerNetwork dense = ExportTestSupport.init(ExportTestSupport.base(3, ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).activation(Activation.LEAKYRELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {2, 2}, new int[] {2, 2}).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU6).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build()),
                3, 10, 10, CNN2DFormat.NCHW, 3);
        MultiLayerNetwork globalMax = ExportTestSupport.init(ExportTestSupport.base(4, ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(ExportTestSupport.logitsOutput(2)), 1, 5, 5, CNN2DFormat.NCHW, 4);
        MultiLayerNetwork student = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build(),
                new InputShape(1, 28, 28), 10, 1);
        MultiLayerNetwork teacher = Networks.build(TeacherNetwork.builder().stemFilters(8).width(0.25).denseUnits(16).build(),
                new InputShape(3, 16, 16), 5, 2);

        List<String> files = new ArrayList<>();
        files.add(write(dense, ExportTestSupport.spec(3, 10, 10, 3), ExportOptions.defaults(), dir, "dense.onnx"));
        files.add(write(dense, ExportTestSupport.spec(3, 10, 10, 3), ExportOptions.builder().foldBatchNorm(false).logits(true)
                .fusePreprocessing(true).inputOrder(PixelOrder.BGR).build(), dir, "dense-fused-bgr.onnx"));
        files.add(write(globalMax, ExportTestSupport.spec(1, 5, 5, 2), ExportOptions.defaults(), dir, "global-max.onnx"));
        files.add(write(student, ExportTestSupport.spec(1, 28, 28, 10), ExportOptions.defaults(), dir, "student.onnx"));
        files.add(write(student, ExportTestSupport.spec(1, 28, 28, 10), ExportOptions.builder().fusePreprocessing(true)
                .foldBatchNorm(false).logits(true).build(), dir, "student-fused.onnx"));
        files.add(write(teacher, ExportTestSupport.spec(3, 16, 16, 5), ExportOptions.builder().inputOrder(PixelOrder.BGR).build(),
                dir, "teacher-bgr.onnx"));

        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", CHECK));
        cmd.addAll(files);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "onnx.checker did not finish in 120 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, p.exitValue(), "onnx.checker failed:\n" + out);
        assertEquals(files.size(), out.lines().filter(l -> l.startsWith("ok ")).count(), out);
        assertTrue(out.contains(" 8 [17]"), "IR version 8, opset 17: " + out);
    }

    @Test
    void int8AndFloat16ModelsPassTheOnnxChecker(@TempDir Path dir) throws Exception {
        MultiLayerNetwork student = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build(),
                new InputShape(1, 28, 28), 4, 1);
        ExportTestSupport.randomize(student, 4);
        MultiLayerNetwork dense = ExportTestSupport.init(ExportTestSupport.base(3, ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).activation(Activation.LEAKYRELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build()),
                3, 10, 10, CNN2DFormat.NCHW, 3);
        ImageDataset gray = SyntheticImages.builder().classes(4).size(28, 28).channels(1)
                .perClass(8).seed(1).build();
        ImageDataset colour = SyntheticImages.builder().classes(3).size(10, 10).channels(3)
                .perClass(8).seed(1).build();
        List<String> files = new ArrayList<>();
        for (Calibration.Method method : Calibration.Method.values()) {
            files.add(write(student, ExportTestSupport.spec(1, 28, 28, 4), ExportOptions.builder().precision(Precision.INT8)
                    .calibration(Int8Calibration.builder(gray).images(16).method(method).build()).build(), dir, "student-int8-" + method.key() + ".onnx"));
        }
        files.add(write(dense, ExportTestSupport.spec(3, 10, 10, 3), ExportOptions.builder().precision(Precision.INT8)
                .calibration(Int8Calibration.builder(colour).images(16).build()).fusePreprocessing(true).inputOrder(PixelOrder.BGR).logits(true)
                .build(), dir, "dense-int8-fused-bgr.onnx"));
        files.add(write(student, ExportTestSupport.spec(1, 28, 28, 4), ExportOptions.builder().precision(Precision.FLOAT16)
                .logits(true).build(), dir, "student-fp16.onnx"));
        files.add(write(dense, ExportTestSupport.spec(3, 10, 10, 3), ExportOptions.builder().precision(Precision.FLOAT16)
                .fusePreprocessing(true).foldBatchNorm(false).build(), dir, "dense-fp16-fused.onnx"));
        check(files);
    }

    private static void check(List<String> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", CHECK));
        cmd.addAll(files);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "onnx.checker did not finish in 120 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, p.exitValue(), "onnx.checker failed:\n" + out);
        assertEquals(files.size(), out.lines().filter(l -> l.startsWith("ok ")).count(), out);
        assertTrue(out.contains(" 8 [17]"), "IR version 8, opset 17: " + out);
    }

    private static String write(MultiLayerNetwork net, ModelSpec spec, ExportOptions options, Path dir, String name)
            throws ExportException {
        ExportResult r = new OnnxExporter(options.toBuilder().checkSamples(2).build()).export(net, spec, dir.resolve(name));
        return r.file().toString();
    }
}
