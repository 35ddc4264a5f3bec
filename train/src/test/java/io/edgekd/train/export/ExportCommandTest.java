package io.edgekd.train.export;

import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.train.cli.ExportCommand;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code edgekd-train export} on a saved model: what it writes and prints, and how it fails. */
class ExportCommandTest {
    /** One run of the command: exit code and both streams. */
    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ExportCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Path savedModel(Path dir) throws Exception {
        MultiLayerNetwork net = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).stages(1).build(),
                new InputShape(3, 16, 16), 3, 8);
        ExportTestSupport.randomize(net, 9);
        Path zip = dir.resolve("student.zip");
        new TrainedModel(net, ExportTestSupport.spec(3, 16, 16, 3), Map.of()).save(zip, false);
        return zip;
    }

    @Test
    void writesTheModelAndSaysWhatItWrote(@TempDir Path dir) throws Exception {
        Path zip = savedModel(dir);
        Path onnx = dir.resolve("student.onnx");
        Run r = run("--model", zip.toString(), "--out", onnx.toString(), "--fuse-preprocessing", "--input-order", "BGR",
                "--keep-batchnorm", "--logits", "--model-version", "3");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("wrote " + onnx.toAbsolutePath() + " (" ), r.out());
        assertTrue(r.out().contains("bytes)"), r.out());
        assertTrue(r.out().contains("input 'input' uint8_nhwc 3x16x16 bgr, output 'probabilities' 3 classes, logits 'logits'"), r.out());
        assertTrue(r.out().contains("0 batch norm(s) folded"), r.out());
        assertTrue(r.out().matches("(?s).*ONNX Runtime vs DL4J on 8 random inputs: max abs diff \\d\\.\\d{3}e-\\d+ \\(tolerance 1e-04\\).*"), r.out());
        System.out.print(r.out());

        try (EdgeClassifier c = EdgeClassifier.open(onnx, EdgeOptions.builder().warmupRuns(0).build())) {
            ModelSpec s = c.spec();
            assertEquals(InputForm.UINT8_NHWC, s.inputForm());
            assertEquals(PixelOrder.BGR, s.pixelOrder());
            assertEquals("logits", s.logitsName());
        }
    }

    @Test
    void int8AndFp16FlagsWriteQuantizedModelsAndSayHow(@TempDir Path dir) throws Exception {
        Path zip = savedModel(dir);
        Path int8 = dir.resolve("student-int8.onnx");
        Run r = run("--model", zip.toString(), "--out", int8.toString(), "--int8", "--calibration", "synthetic:3:16:3:12",
                "--calibration-images", "24", "--calibration-method", "entropy");
        assertEquals(0, r.exit(), r.err());
        System.out.print(r.out());
        assertTrue(r.out().contains("precision int8, symmetric activations, entropy calibration on 24 images ("), r.out());
        assertTrue(r.out().matches("(?s).*ONNX Runtime vs DL4J on \\d+ held-out calibration-set images: max abs diff .* \\(tolerance 0.25\\).*"),
                r.out());
        try (EdgeClassifier c = EdgeClassifier.open(int8, EdgeOptions.builder().warmupRuns(0).build())) {
            assertEquals(io.edgekd.core.spec.Precision.INT8, c.spec().precision());
            assertEquals(24, c.spec().calibration().images());
        }
        Path unsigned = dir.resolve("student-int8u.onnx");
        r = run("--model", zip.toString(), "--out", unsigned.toString(), "--int8", "--calibration", "synthetic:3:16:3:12",
                "--calibration-images", "24", "--int8-activations", "unsigned");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("precision int8, unsigned activations, minmax calibration on 24 images ("), r.out());
        try (EdgeClassifier c = EdgeClassifier.open(unsigned, EdgeOptions.builder().warmupRuns(0).build())) {
            assertEquals(io.edgekd.core.spec.Calibration.Activations.UNSIGNED, c.spec().calibration().activations());
        }
        Path fp16 = dir.resolve("student-fp16.onnx");
        r = run("--model", zip.toString(), "--out", fp16.toString(), "--fp16");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("precision float16"), r.out());
        try (EdgeClassifier c = EdgeClassifier.open(fp16, EdgeOptions.builder().warmupRuns(0).build())) {
            assertEquals(io.edgekd.core.spec.Precision.FLOAT16, c.spec().precision());
        }
    }

    @Test
    void badPrecisionFlagsAndCalibrationDataFailWithoutAFile(@TempDir Path dir) throws Exception {
        Path zip = savedModel(dir);
        Path onnx = dir.resolve("m.onnx");
        Run r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--fp16");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("expected at most one precision, found both"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--calibration-method", "entropy");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("expected --int8"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8-activations", "unsigned");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--int8-activations: expected --int8"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--int8-activations", "asymmetric");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("expected one of symmetric, unsigned, found 'asymmetric'"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--calibration-method", "kl");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("expected one of minmax, percentile, entropy, found 'kl'"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--calibration-images", "3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--calibration-images: expected at least 16, found 3"), r.err());
        // The shipped sample is 1x28x28; this model takes 3x16x16.
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--calibration", "synthetic:3:28:1:12", "--calibration-images", "16");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("calibration data: expected 3x16x16 images (the model's input, CxHxW), found 1x28x28"), r.err());
        r = run("--model", zip.toString(), "--out", onnx.toString(), "--int8", "--calibration", "synthetic:3:16:3:10", "--calibration-images", "100");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("expected a dataset of at least 100 images, found 24"), r.err());
        assertTrue(Files.notExists(onnx));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the model zip");
        }
    }

    @Test
    void aMissingModelFailsWithExitCode1AndWritesNothing(@TempDir Path dir) {
        Path onnx = dir.resolve("m.onnx");
        Run r = run("--model", dir.resolve("missing.zip").toString(), "--out", onnx.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("export: ") && r.err().contains("missing.zip: expected a model file (.zip)"), r.err());
        assertTrue(Files.notExists(onnx));
    }

    @Test
    void aMissingOutputFolderFailsWithExitCode1(@TempDir Path dir) throws Exception {
        Path zip = savedModel(dir);
        Run r = run("--model", zip.toString(), "--out", dir.resolve("nowhere/m.onnx").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("expected an existing folder"), r.err());
    }

    @Test
    void badArgumentsFailWithExitCode2() {
        Run missing = run("--model", "x.zip");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("Missing required option: '--out=OUT.onnx'"), missing.err());

        Run order = run("--model", "x.zip", "--out", "x.onnx", "--input-order", "cmyk");
        assertEquals(2, order.exit());
        assertTrue(order.err().contains("--input-order: expected one of gray, rgb, bgr, found 'cmyk'"), order.err());
    }
}
