package io.edgekd.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** Entry point of the child JVM in {@link #leavesNoStrayFilesBehind()}. */
    public static final class OpenAndClassify {
        public static void main(String[] args) throws Exception {
            try (EdgeClassifier c = EdgeClassifier.open(Path.of(args[0]), EdgeOptions.defaults())) {
                var top = c.newResult(1);
                c.classify(new byte[120], 10, 12, io.edgekd.core.image.PixelFormat.GRAY8, top);
                System.out.println("classified " + top.label(0));
            }
        }
    }
}
