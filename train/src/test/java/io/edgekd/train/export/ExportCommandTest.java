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
