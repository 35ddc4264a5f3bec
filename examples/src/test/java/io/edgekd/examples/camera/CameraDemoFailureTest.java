package io.edgekd.examples.camera;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs and outputs that fail: the documented exit code, one clear line, no hang, no credentials shown. */
@Timeout(60)
class CameraDemoFailureTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void makeModel() throws Exception {
        model = TestVideos.model(dir);
    }

    record Outcome(ExitCode code, String out, String err) {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = new CameraDemo(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), null)
                .run(args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingCameraIsNamed() {
        Outcome o = run("--model", model.toString(), "/dev/video9", "--headless");
        assertEquals(ExitCode.INPUT_OPEN, o.code());
        assertTrue(o.err().contains("v4l2:///dev/video9: no such camera"), o.err());
        assertEquals(4, o.code().status());
    }

    @Test
    void aCorruptVideoIsRefused() throws Exception {
        byte[] junk = new byte[64 * 1024];
        new SplittableRandom(3).nextBytes(junk);
        Path bad = Files.write(dir.resolve("corrupt.mp4"), junk);
        Outcome o = run("--model", model.toString(), "file://" + bad, "--headless");
        assertEquals(ExitCode.INPUT_OPEN, o.code(), o.err());
        assertTrue(o.err().contains("corrupt.mp4") && o.err().lines().count() == 1, o.err());
        Outcome missing = run("--model", model.toString(), dir.resolve("nothing.mp4").toString(), "--headless");
        assertEquals(ExitCode.INPUT_OPEN, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }

    @Test
    void aStalledStreamTimesOutAndItsPasswordNeverShows() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());   // and never answer
                    }
                } catch (Exception e) {
                    // server closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "rtsp://admin:s3cr3t-pw@127.0.0.1:" + server.getLocalPort() + "/stream";
            long t0 = System.nanoTime();
            Outcome o = run("--model", model.toString(), url, "--headless", "--input-timeout", "2", "--log", dir.resolve("l.jsonl").toString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(ExitCode.INPUT_OPEN, o.code(), o.err());
            assertTrue(seconds < 20, "took " + seconds + " s");
            assertTrue(o.err().contains("rtsp://***@127.0.0.1:" + server.getLocalPort() + "/stream"), o.err());
            assertFalse((o.err() + o.out()).contains("s3cr3t"), o.err());
            assertFalse(accepted.isEmpty(), "FFmpeg connected");

            // The same credentials from a file, not on the command line.
            Path creds = Files.writeString(dir.resolve("camera.credentials"), "admin:s3cr3t-pw\n");
            Outcome f = run("--model", model.toString(), "rtsp://127.0.0.1:" + server.getLocalPort() + "/stream", "--headless",
                    "--input-timeout", "2", "--input-credentials", creds.toString());
            assertEquals(ExitCode.INPUT_OPEN, f.code(), f.err());
            assertTrue(f.err().contains("rtsp://***@127.0.0.1"), f.err());
            assertFalse((f.err() + f.out()).contains("s3cr3t"), f.err());
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void badArgumentsModelAndOutputHaveTheirCodes() {
        assertEquals(ExitCode.USAGE, run().code());
        assertEquals(ExitCode.USAGE, run("--model", model.toString(), "ftp://x/y", "--headless").code());
        assertEquals(ExitCode.USAGE, run("--model", model.toString(), "--input-flip", "sideways").code());
        Outcome m = run("--model", dir.resolve("none.onnx").toString(), "--headless");
        assertEquals(ExitCode.MODEL, m.code());
        assertEquals(3, m.code().status());
    }

    @Test
    void outputsThatCannotBeOpenedExitWith6() throws Exception {
        Path pictures = Files.createDirectories(dir.resolve("pictures"));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(32, 24, java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "png",
                pictures.resolve("a.png").toFile());
        Outcome out = run("--model", model.toString(), "file://" + pictures + "/", "file:///no/such/folder/out.mp4");
        assertEquals(ExitCode.OUTPUT, out.code(), out.err());
        assertTrue(out.err().contains("/no/such/folder does not exist"), out.err());
        if (System.getenv("DISPLAY") == null) {
            Outcome d = run("--model", model.toString(), pictures.toString(), "display://0");
            assertEquals(ExitCode.OUTPUT, d.code(), d.err());
            assertTrue(d.err().contains("display://0: no display") && d.err().contains("--headless"), d.err());
        }
        // The picture folder itself works.
        Outcome ok = run("--model", model.toString(), pictures.toString(), "--headless");
        assertEquals(ExitCode.OK, ok.code(), ok.err());
        assertTrue(ok.out().contains("1 frames in"), ok.out());
    }
}
