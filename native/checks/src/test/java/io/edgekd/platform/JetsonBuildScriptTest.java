package io.edgekd.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** native/jetson/build-onnxruntime.sh: its dry runs for every supported JetPack, and its argument handling. */
class JetsonBuildScriptTest {
    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("native/jetson/build-onnxruntime.sh");

    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        /** The build command line (the one that runs build.sh). */
        String build() {
            return lines().stream().filter(l -> l.contains("./build.sh")).findFirst().orElseThrow(() -> new AssertionError(out));
        }
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", "/home/jetson");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script finishes");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "JetPack {0}")
    @CsvSource({
            "5.1, 1.18.1, /usr/local/cuda-11.8, 72;87",
            "6.0, 1.18.1, /usr/local/cuda-12.2, 87",
            "6.1, 1.29.0, /usr/local/cuda-12.6, 87",
            "6.2, 1.29.0, /usr/local/cuda-12.6, 87"})
    void dryRunPrintsTheExactCommandsForEachJetPack(String jetpack, String ort, String cuda, String arch) throws Exception {
        Run r = run("--jetpack", jetpack, "--dry-run", "--src", "/opt/ort", "--parallel", "3");
        assertEquals(0, r.status(), r.err());
        String build = r.build();
        String root = build.endsWith(" --allow_running_as_root") ? " --allow_running_as_root" : "";
        String gcc = jetpack.equals("5.1") ? "CC=gcc-11 CXX=g++-11 " : "";
        assertEquals("cd /opt/ort && " + gcc + "CUDACXX=" + cuda + "/bin/nvcc PATH=" + cuda + "/bin:$PATH ./build.sh --config Release"
                + " --update --build --build_shared_lib --build_java --skip_tests --parallel 3 --nvcc_threads 1"
                + " --use_cuda --cuda_home " + cuda + " --cudnn_home /usr/lib/aarch64-linux-gnu"
                + " --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu"
                + " --cmake_extra_defines 'CMAKE_CUDA_ARCHITECTURES=" + arch + "' onnxruntime_BUILD_UNIT_TESTS=OFF" + root, build);
        assertTrue(r.lines().contains("git clone --recursive --depth 1 --branch v" + ort + " https://github.com/microsoft/onnxruntime /opt/ort"), r.out());
        assertTrue(r.lines().contains("mvn -B install:install-file -Dfile=/opt/ort/build/Linux/Release/java/build/libs/onnxruntime_gpu-" + ort
                + ".jar -DgroupId=com.microsoft.onnxruntime -DartifactId=onnxruntime -Dversion=" + ort + "-jp" + jetpack + " -Dpackaging=jar"), r.out());
        // Each printed command must be one valid shell command (the ';' in the CUDA architectures is quoted).
        for (String line : r.lines()) {
            if (!line.startsWith("#")) {
                Process p = new ProcessBuilder("bash", "-n", "-c", line).start();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "bash -n: " + line);
            }
        }
    }

    @Test
    void overridesReachTheCommand() throws Exception {
        Run r = run("--jetpack", "6.0", "--dry-run", "--ort-version", "1.29.0", "--tensorrt-home", "/opt/TensorRT-10.3",
                "--cudnn-home", "/opt/cudnn9", "--cuda-arch", "87", "--no-install");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.build().contains("--tensorrt_home /opt/TensorRT-10.3 "), r.out());
        assertTrue(r.build().contains("--cudnn_home /opt/cudnn9 "), r.out());
        assertTrue(r.out().contains("--branch v1.29.0 "), r.out());
        assertFalse(r.out().contains("install:install-file"), "--no-install prints no install command");
        assertTrue(r.out().contains("/home/jetson/src/onnxruntime-1.29.0"), "the default source folder is under HOME");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--jetpack 4.6 --dry-run | JetPack '4.6' is not supported: expected 5.1, 6.0, 6.1 or 6.2",
            "--jetpack 6.1 --dry-run --parallel 0 | --parallel: expected a positive number, found '0'",
            "--jetpack 6.1 --dry-run --ort-version 1.29 | --ort-version: expected a release such as 1.29.0, found '1.29'",
            "--jetpack 6.1 --dry-run --cuda-arch sm_87 | --cuda-arch: expected compute capabilities",
            "--jetpack | --jetpack needs a value",
            "--frobnicate | unknown argument '--frobnicate'"})
    void badArgumentsExitWithStatus2AndSayWhy(String args, String message) throws Exception {
        Run r = run(args.trim().split(" +"));
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void withoutJetPackOffTheBoardItRefusesClearly() throws Exception {
        assumeFalse(Files.exists(Path.of("/etc/nv_tegra_release")), "on a Jetson the version is read from the board");
        Run r = run("--dry-run");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not a Jetson (no /etc/nv_tegra_release): pass --jetpack"), r.err());
    }

    @Test
    void aRealBuildOffTheBoardRefusesBeforeDoingAnything() throws Exception {
        assumeFalse(System.getProperty("os.arch").equals("aarch64"), "on aarch64 the script goes on to check the board");
        Run r = run("--jetpack", "6.1", "--src", "/nonexistent/ort");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("expected to run on the Jetson (aarch64)"), r.err());
    }

    @Test
    void helpDocumentsTheCoordinates() throws Exception {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("com.microsoft.onnxruntime:onnxruntime:<ort-version>-jp<jetpack>"), r.out());
    }

    @Test
    void jetPack6_1BuildsTheOnnxRuntimeVersionTheProjectUses() throws Exception {
        Matcher m = Pattern.compile("<onnxruntime.version>([^<]+)</onnxruntime.version>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find());
        Run r = run("--jetpack", "6.1", "--dry-run");
        assertTrue(r.out().contains("--branch v" + m.group(1) + " "), "JetPack 6.1 builds ONNX Runtime " + m.group(1) + ": " + r.out());
        // and -Pjetson defaults to that build
        for (String module : List.of("runtime-edge", "examples")) {
            assertTrue(Files.readString(ROOT.resolve(module).resolve("pom.xml"))
                    .contains("<jetson.onnxruntime.version>${onnxruntime.version}-jp6.1</jetson.onnxruntime.version>"), module);
        }
    }
}
