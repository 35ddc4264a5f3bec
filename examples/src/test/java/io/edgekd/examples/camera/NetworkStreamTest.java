package io.edgekd.examples.camera;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live H.264 stream over TCP, the way {@code rpicam-vid --listen -o tcp://...} serves a Raspberry Pi camera:
 * the demo reads it as a network input, drops what it has no time for, and ends cleanly when the stream closes.
 */
@Timeout(60)
class NetworkStreamTest {
    @TempDir
    Path dir;

    @Test
    void aTcpH264StreamIsClassifiedUntilItCloses() throws Exception {
        int n = 200;
        Path model = TestVideos.model(dir);
        Path es = dir.resolve("stream.h264");
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(es.toString(), 320, 240, 0)) {
            r.setFormat("h264");
            r.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(30);
            r.start();
            Frame f = new Frame(320, 240, Frame.DEPTH_UBYTE, 3, 320 * 3);
            for (int i = 0; i < n; i++) {
                ((ByteBuffer) f.image[0]).clear().put(TestVideos.frame(i, 320, 240));
                r.record(f, avutil.AV_PIX_FMT_BGR24);
            }
            r.stop();
        }
        byte[] bytes = Files.readAllBytes(es);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread camera = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream o = s.getOutputStream()) {
                    o.write(bytes);
                } catch (Exception e) {
                    // the test fails on the demo's side
                }
            });
            camera.setDaemon(true);
            camera.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ExitCode code = new CameraDemo(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), null)
                    .run("--model", model.toString(), "tcp://127.0.0.1:" + server.getLocalPort(), "--headless", "--input-timeout", "5");
            String o = out.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8) + o);
            assertTrue(o.contains("input tcp://127.0.0.1:" + server.getLocalPort() + " 320x240"), o);
            Matcher m = Pattern.compile("(\\d+) frames in .* (\\d+) dropped").matcher(o);
            assertTrue(m.find(), o);
            int frames = Integer.parseInt(m.group(1));
            int dropped = Integer.parseInt(m.group(2));
            // fflags=nobuffer (low latency) lets FFmpeg discard what it read while probing the stream, so not every
            // frame the camera sent reaches the loop; the rest were classified or counted as dropped.
            assertTrue(frames >= 10 && frames + dropped <= n, o);
        }
    }
}
