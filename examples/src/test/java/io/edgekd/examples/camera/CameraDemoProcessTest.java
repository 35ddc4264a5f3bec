package io.edgekd.examples.camera;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The demo as its own process: SIGTERM finalises the MP4; display://0 under Xvfb shows the overlay. */
@Timeout(120)
class CameraDemoProcessTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path video;

    @BeforeAll
    static void make() throws Exception {
        model = TestVideos.model(dir);
        video = TestVideos.losslessVideo(dir.resolve("in.mkv"), 24, 320, 240, 25);
    }

    static Process java(Path log, String display, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss2m", mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // The class path travels in the environment: a long command line is what crashes ONNX Runtime's telemetry.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        pb.environment().put("CLASSPATH", cp);
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        if (display != null) {
            pb.environment().put("DISPLAY", display);
        }
        return pb.start();
    }

    static void awaitLine(Path log, String text, Process p) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected '" + text + "' in the output: " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    @Test
    void sigtermStopsCleanlyAndTheMp4Plays() throws Exception {
        Path mp4 = dir.resolve("term.mp4");
        Path log = dir.resolve("term.log");
        Process p = java(log, null, CameraDemo.class.getName(), "--model", model.toString(), "file://" + video, "file://" + mp4,
                "--input-loop", "-1", "--stats", "0.5");
        try {
            awaitLine(log, "[edgekd]", p);
            p.destroy();   // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the demo did not end after SIGTERM");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(143, p.exitValue(), out);
            assertTrue(out.contains("edgekd camera: stopped; "), out);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("stopped; (\\d+) frames in").matcher(out);
            assertTrue(m.find(), out);
            // Every frame the loop classified is in the file, and the file plays: the trailer was written.
            assertEquals(Integer.parseInt(m.group(1)), TestVideos.countFrames(mp4, 320, 240), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theWindowShowsTheOverlayUnderXvfb() throws Exception {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(d, "Xvfb"));
        }
        assumeTrue(found, "Xvfb is not installed (Debian: xvfb)");
        String display = ":" + (90 + (int) (ProcessHandle.current().pid() % 9));
        Process x = new ProcessBuilder("Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp")
                .redirectErrorStream(true).redirectOutput(dir.resolve("xvfb.log").toFile()).start();
        Process demo = null;
        try {
            Thread.sleep(1000);
            assumeTrue(x.isAlive(), "Xvfb did not start");
            Path log = dir.resolve("display.log");
            demo = java(log, display, CameraDemo.class.getName(), "--model", model.toString(), "file://" + video, "display://0",
                    "--input-loop", "-1", "--stats", "0.5");
            awaitLine(log, "[edgekd]", demo);
            Path png = dir.resolve("screen.png");
            Process grab = java(dir.resolve("grab.log"), display, ScreenGrab.class.getName(), png.toString());
            assertTrue(grab.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, grab.exitValue(), Files.readString(dir.resolve("grab.log")));
            BufferedImage img = ImageIO.read(png.toFile());
            // The best class is drawn in green (118, 230, 0) in the overlay's top-left box.
            int green = 0;
            for (int y = 0; y < 120; y++) {
                for (int xx = 0; xx < 320; xx++) {
                    int rgb = img.getRGB(xx, y);
                    int r = rgb >> 16 & 0xff;
                    int g = rgb >> 8 & 0xff;
                    int b = rgb & 0xff;
                    if (g > 180 && r > 80 && r < 150 && b < 40) {
                        green++;
                    }
                }
            }
            assertTrue(green > 20, "overlay text pixels found: " + green);
            Path keep = Path.of(System.getProperty("edgekd.screenshot.dir", dir.toString()));
            Files.copy(png, keep.resolve("display-xvfb.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            demo.destroy();
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS));
        } finally {
            if (demo != null) {
                demo.destroyForcibly();
            }
            x.destroy();
            x.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
