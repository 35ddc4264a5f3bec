package io.edgekd.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks' model generation from a plain {@code main()} as an IDE starts it: a 20 KB class path, ONNX
 * Runtime's telemetry on, the default thread stack. Building and exporting a network there used to die with SIGSEGV
 * inside ONNX Runtime's first environment creation; the runtime now creates it on a thread of its own.
 */
class BenchModelsLongCommandLineTest {
    @Test
    void generatesAModelWithTelemetryOnAndALongClassPath(@TempDir Path dir) throws Exception {
        String real = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder cp = new StringBuilder(real);
        for (int i = 0; cp.length() < real.length() + 20_000; i++) {
            cp.append(File.pathSeparator).append(dir.resolve("no-such-folder-" + i).resolve("classes"));
        }
        Path models = dir.resolve("models");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp.toString(),
                "-Dedgekd.bench.models=" + models, "io.edgekd.bench.BenchModels", "student:1x28x28:3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile());
        pb.environment().remove("ORT_DISABLE_TELEMETRY");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "model generation did not finish within 240 s");
        String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit code (134/139 is the JVM killed by a signal):\n" + log);
        try (var files = Files.list(models)) {
            List<Path> onnx = files.filter(f -> f.toString().endsWith(".onnx")).toList();
            assertTrue(onnx.stream().anyMatch(f -> f.getFileName().toString().equals("student-1x28x28-c3.onnx")), log);
            for (Path f : onnx) {
                assertTrue(Files.size(f) > 1000, f + "\n" + log);
            }
        }
    }
}
