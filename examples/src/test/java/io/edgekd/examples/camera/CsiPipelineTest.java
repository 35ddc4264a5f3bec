package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.source.GstreamerSource;
import io.edgekd.examples.source.VideoFrame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Jetson CSI path (a gst-launch-1.0 child process writing BGRx on descriptor 3) with {@code videotestsrc} in
 * place of {@code nvarguscamerasrc}: frame reading, size, stride, pixel values and shutdown.
 */
@Timeout(60)
class CsiPipelineTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsGstreamer() {
        boolean found = false;
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(p, "gst-launch-1.0"));
        }
        assumeTrue(found, "gst-launch-1.0 is not installed (Debian: gstreamer1.0-tools, gstreamer1.0-plugins-base)");
    }

    @Test
    void framesArriveWithTheirSizeStrideAndColours() throws Exception {
        // A solid colour, ARGB 0xff102030, with status text on the child's stdout as nvarguscamerasrc would print:
        // the frames must not be disturbed by it.
        String element = "videotestsrc num-buffers=5 pattern=solid-color foreground-color=0xff102030 ! videoconvert";
        try (GstreamerSource s = GstreamerSource.open("csi://0", element, 64, 48, 30)) {
            VideoFrame f = new VideoFrame(16);
            for (int i = 0; i < 5; i++) {
                assertTrue(s.read(f), "frame " + i + ": " + s.stderrTail());
                assertEquals(64, f.width());
                assertEquals(48, f.height());
                assertEquals(64 * 4, f.stride());
                assertEquals(PixelFormat.BGRA32, f.format());
                assertEquals(i, f.index());
                int last = (47 * 64 + 63) * 4;
                assertEquals(0x30, f.pixels().get(0) & 0xff);
                assertEquals(0x20, f.pixels().get(1) & 0xff);
                assertEquals(0x10, f.pixels().get(2) & 0xff);
                assertEquals(0x30, f.pixels().get(last) & 0xff);
                assertEquals(0x10, f.pixels().get(last + 2) & 0xff);
            }
            assertFalse(s.read(f), "end of stream after num-buffers");
        }
    }

    @Test
    void closeStopsALiveCameraWithSigint() throws Exception {
        GstreamerSource s = GstreamerSource.open("csi://0", "videotestsrc is-live=true ! videoconvert", 32, 24, 30);
        VideoFrame f = new VideoFrame(16);
        assertTrue(s.read(f), s.stderrTail());
        long t0 = System.nanoTime();
        s.close();
        s.close();
        assertTrue((System.nanoTime() - t0) / 1e9 < 4, "gst-launch ended on SIGINT without being destroyed");
    }

    @Test
    void theDemoRunsCsiThroughTheSameCode() throws Exception {
        Path model = TestVideos.model(dir);
        System.setProperty("edgekd.camera.csiSource", "videotestsrc num-buffers=12 pattern=ball ! videoconvert");
        try {
            int[] frames = new int[1];
            int[] stride = new int[1];
            FrameListener l = (VideoFrame frame, Classification top, long inferNanos) -> {
                frames[0]++;
                stride[0] = frame.stride();
            };
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Path mp4 = dir.resolve("csi.mp4");
            ExitCode code = new CameraDemo(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), l)
                    .run("--model", model.toString(), "csi://0", "file://" + mp4, "--input-width", "320", "--input-height", "240");
            assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("input csi://0 320x240"), out.toString(StandardCharsets.UTF_8));
            assertTrue(frames[0] >= 1 && frames[0] <= 12, "frames " + frames[0]);
            assertEquals(320 * 4, stride[0]);
            assertEquals(frames[0], TestVideos.countFrames(mp4, 320, 240));
        } finally {
            System.clearProperty("edgekd.camera.csiSource");
        }
    }

    @Test
    void aFailingPipelineSaysWhy() throws Exception {
        Path model = TestVideos.model(dir);
        System.setProperty("edgekd.camera.csiSource", "nosuchelementsrc");
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ExitCode code = new CameraDemo(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), null).run("--model", model.toString(), "--headless");
            assertEquals(ExitCode.INPUT_OPEN, code);
            String e = err.toString(StandardCharsets.UTF_8);
            assertTrue(e.contains("csi://0: gst-launch-1.0 ended") && e.contains("before the first frame"), e);
        } finally {
            System.clearProperty("edgekd.camera.csiSource");
        }
    }

    @Test
    void aCameraThatDiesMidRunExitsWith5() throws Exception {
        Path model = TestVideos.model(dir);
        System.setProperty("edgekd.camera.csiSource", "videotestsrc is-live=true ! videoconvert");
        try {
            int[] frames = new int[1];
            // Unplugging, as far as the demo can tell: the pipeline process dies after a few frames.
            FrameListener l = (VideoFrame frame, Classification top, long inferNanos) -> {
                if (++frames[0] == 5) {
                    ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("gst-launch"))
                            .forEach(ProcessHandle::destroyForcibly);
                }
            };
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ExitCode code = new CameraDemo(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), l).run("--model", model.toString(), "--headless",
                    "--input-width", "64", "--input-height", "48");
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.INPUT_FAILED, code, e);
            assertEquals(5, code.status());
            assertTrue(e.contains("csi://0: gst-launch-1.0 ended (exit 137)"), e);
        } finally {
            System.clearProperty("edgekd.camera.csiSource");
        }
    }
}
