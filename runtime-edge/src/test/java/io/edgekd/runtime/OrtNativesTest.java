package io.edgekd.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OrtNativesTest {
    @TempDir
    Path dir;

    @Test
    void platformFoldersFollowOnnxRuntimesNames() {
        assertEquals("linux-x64", OrtNatives.platformFolder("Linux", "amd64"));
        assertEquals("linux-aarch64", OrtNatives.platformFolder("Linux", "aarch64"));
        assertEquals("osx-aarch64", OrtNatives.platformFolder("Mac OS X", "aarch64"));
        assertNull(OrtNatives.platformFolder("Linux", "riscv64"));
        assertNull(OrtNatives.platformFolder("Windows 11", "amd64"));
    }

    @Test
    void jarNamesBecomeFolderNames() throws Exception {
        assertEquals("onnxruntime-1.29.0",
                OrtNatives.jarName(new URL("jar:file:/m2/com/x/onnxruntime-1.29.0.jar!/ai/onnxruntime/native/linux-x64/libonnxruntime.so")));
        assertEquals("onnxruntime-unpacked", OrtNatives.jarName(new URL("file:/classes/ai/onnxruntime/native/linux-x64/libonnxruntime.so")));
    }

    @Test
    void telemetryVariableIsRead() {
        assertTrue(OrtNatives.telemetryDisabledByEnvironment("1"));
        assertTrue(OrtNatives.telemetryDisabledByEnvironment("TRUE"));
        assertTrue(!OrtNatives.telemetryDisabledByEnvironment("0"));
        assertTrue(!OrtNatives.telemetryDisabledByEnvironment(null));
    }

    @Test
    void unpacksOnceAndReusesTheCache() throws Exception {
        assumeTrue(OrtNatives.platformFolder(System.getProperty("os.name"), System.getProperty("os.arch")) != null,
                "ONNX Runtime ships no libraries for this platform");
        Path first = OrtNatives.unpack(dir);
        assertNotNull(first);
        Path lib = first.resolve(System.getProperty("os.name").toLowerCase().contains("mac") ? "libonnxruntime.dylib" : "libonnxruntime.so");
        assertTrue(Files.size(lib) > 1_000_000, "the library is there in full");
        FileTime stamp = FileTime.fromMillis(0);
        Files.setLastModifiedTime(lib, stamp);
        Path second = OrtNatives.unpack(dir);
        assertEquals(first, second);
        assertEquals(stamp, Files.getLastModifiedTime(lib), "an intact cache is not rewritten");
        try (Stream<Path> files = Files.list(first)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    /**
     * A separate JVM opens a model with its temporary folders pointed into the test's folder: after it exits,
     * nothing of ONNX Runtime's is left there.
     */
    @Test
    void leavesNoStrayFilesBehind() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path model = new TestModels(EdgeClassifierTest.graySpec(), 1).write(dir, "m.onnx");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp, "-Dedgekd.native.cache=" + cache, "-XX:-UsePerfData",
                OpenAndClassify.class.getName(), model.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("HOME", dir.resolve("home").toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("classified"), output);
        try (Stream<Path> left = Files.walk(tmp)) {
            List<Path> stray = left.filter(x -> !x.equals(tmp)).toList();
            assertEquals(List.of(), stray, "files left in the temporary folder");
        }
        assertTrue(Files.notExists(dir.resolve("home/.cache/Microsoft")), "telemetry files were written");
    }

    /**
     * ONNX Runtime 1.29's telemetry overflows a 1 MB thread stack while it creates its environment when the
     * command line is long (the JVM dies with SIGSEGV). A child JVM with telemetry on (the variable removed),
     * the default {@code -Xss} and a 20 KB classpath opens a model and classifies a frame, on its main thread
     * and, in a second child, on a thread with a 256 KB stack: each must exit normally with the answer this
     * JVM computes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"main", "small-stack"})
    void longCommandLineWithTelemetryOnDoesNotCrash(String thread) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path model = new TestModels(EdgeClassifierTest.graySpec(), 1).write(dir, "m.onnx");
        byte[] frame = new byte[120];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 37);
        }
        String expected;
        try (EdgeClassifier c = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            var top = c.newResult(1);
            c.classify(frame, 10, 12, io.edgekd.core.image.PixelFormat.GRAY8, top);
            expected = "classified " + top.label(0) + " " + top.probability(0);
        }
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (int i = 0; cp.length() < 20_000; i++) {
            cp.append(File.pathSeparatorChar).append(dir.resolve("missing").resolve("entry-" + i + ".jar"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", cp.toString(), "-Djava.io.tmpdir=" + tmp,
                "-Dedgekd.native.cache=" + dir.resolve("cache"), "-XX:-UsePerfData",
                OpenAndClassify.class.getName(), model.toString(), thread);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("ORT_DISABLE_TELEMETRY");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("HOME", dir.resolve("home").toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), "child JVM exit status (139 = SIGSEGV); output: " + output);
        assertTrue(output.contains(expected), "expected '" + expected + "' in: " + output);
    }

    @Test
    void environmentStackGrowsWithTheCommandLine() {
        assertEquals(16L << 20, OrtNatives.environmentStackBytes(0));
        // 400 KB of command line needed between 96 and 128 MB; the rule gives more than twice that.
        assertTrue(OrtNatives.environmentStackBytes(400_000) >= 2 * (128L << 20));
        assertTrue(OrtNatives.commandLineBytes() > 0);
    }

    /**
     * Entry point of the child JVMs: opens a model and classifies a blank frame; with a second argument, the
     * frame of the long-command-line test, on the main thread ({@code main}) or on a 256 KB stack ({@code small-stack}).
     */
    public static final class OpenAndClassify {
        public static void main(String[] args) throws Exception {
            byte[] frame = new byte[120];
            if (args.length > 1) {
                for (int i = 0; i < frame.length; i++) {
                    frame[i] = (byte) (i * 37);
                }
            }
            if (args.length > 1 && args[1].equals("small-stack")) {
                Exception[] failed = new Exception[1];
                Thread t = new Thread(null, () -> {
                    try {
                        classify(args[0], frame);
                    } catch (Exception e) {
                        failed[0] = e;
                    }
                }, "small-stack", 256L << 10);
                t.start();
                t.join();
                if (failed[0] != null) {
                    throw failed[0];
                }
            } else {
                classify(args[0], frame);
            }
        }

        private static void classify(String model, byte[] frame) throws Exception {
            try (EdgeClassifier c = EdgeClassifier.open(Path.of(model), EdgeOptions.defaults())) {
                var top = c.newResult(1);
                c.classify(frame, 10, 12, io.edgekd.core.image.PixelFormat.GRAY8, top);
                System.out.println("classified " + top.label(0) + " " + top.probability(0));
            }
        }
    }
}
