package io.edgekd.train.cli;

import io.edgekd.train.export.ExportTestSupport;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code edgekd-train export} from a plain JVM as a build tool or IDE starts it: a 20 KB class path, ONNX Runtime's
 * telemetry left on (no {@code ORT_DISABLE_TELEMETRY}), the default thread stack. ONNX Runtime 1.29 overflowed the
 * 1 MB stack of the thread that first created its environment under these conditions and took the JVM down with
 * SIGSEGV; the runtime now creates it on a thread of its own. The same run shows the command prints no JavaCPP
 * version-mismatch warning.
 */
class LongCommandLineTest {
    @Test
    void exportRunsWithTelemetryOnAndALongClassPath(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).stages(1).build(),
                new InputShape(1, 16, 16), 3, 8);
        ExportTestSupport.randomize(net, 9);
        Path zip = dir.resolve("student.zip");
        new TrainedModel(net, ExportTestSupport.spec(1, 16, 16, 3), Map.of()).save(zip, false);
        Path onnx = dir.resolve("student.onnx");

        String real = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder cp = new StringBuilder(real);
        for (int i = 0; cp.length() < real.length() + 20_000; i++) {
            cp.append(File.pathSeparator).append(dir.resolve("no-such-folder-" + i).resolve("classes"));
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp.toString(),
                "io.edgekd.train.cli.EdgekdTrain", "export", "--model", zip.toString(), "--out", onnx.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile());
        pb.environment().remove("ORT_DISABLE_TELEMETRY");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the export did not finish within 180 s");
        String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit code (134/139 is the JVM killed by a signal):\n" + log);
        assertTrue(Files.size(onnx) > 1000, log);
        assertTrue(log.contains("wrote " + onnx.toAbsolutePath()), log);
        assertFalse(log.contains("do not match"), "no JavaCPP version-mismatch warning:\n" + log);
    }
}
