package io.edgekd.runtime;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's edge-runtime example, taken verbatim from README.md, compiled and run in a fresh JVM whose
 * working folder holds a {@code student.onnx}: if the README drifts from the API, this fails.
 */
class ReadmeExampleTest {
    private static final String MARKER = "<!-- readme-example: runtime -->";

    @TempDir
    Path dir;

    static String snippet() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../README.md").normalize();
        String text = Files.readString(readme);
        int at = text.indexOf(MARKER);
        assertTrue(at >= 0, "README.md lacks the marker " + MARKER);
        int start = text.indexOf("```java\n", at) + "```java\n".length();
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String code = snippet();
        assertTrue(code.contains("EdgeClassifier.open(Path.of(\"student.onnx\")"), code);
        String source = """
                import io.edgekd.core.classify.Classification;
                import io.edgekd.core.image.PixelFormat;
                import io.edgekd.runtime.EdgeClassifier;
                import io.edgekd.runtime.EdgeOptions;
                import java.nio.file.Path;

                public class ReadmeExample {
                    public static void main(String[] args) throws Exception {
                        int width = 640;
                        int height = 480;
                        byte[] frame = new byte[width * height * 3];
                        new java.util.Random(1).nextBytes(frame);
                """ + code + """
                    }
                }
                """;
        Path src = Files.writeString(dir.resolve("ReadmeExample.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the README example");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "README example does not compile:\n" + err + "\n" + source);

        ModelSpec spec = EdgeClassifierTest.colourSpec().toBuilder().pixelOrder(PixelOrder.RGB).build();
        new TestModels(spec, 3).write(dir, "student.onnx");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(javaBin, "-cp", dir + File.pathSeparator + System.getProperty("java.class.path"),
                "-Dedgekd.native.cache=" + dir.resolve("cache"), "ReadmeExample"))
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        String[] parts = last.split(" ");
        assertEquals(2, parts.length, out);
        assertTrue(spec.labels().contains(parts[0]), out);
        float probability = Float.parseFloat(parts[1]);
        assertTrue(probability > 1f / spec.numClasses() && probability <= 1f, out);
    }
}
