package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo run headless on a video file: predictions, the recorded video, the JSON lines, the loops. */
@Timeout(120)
class CameraDemoVideoTest {
    static final int N = 24;
    static final int W = 160;
    static final int H = 120;

    @TempDir
    static Path dir;
    static Path model;
    static Path video;

    @BeforeAll
    static void makeVideo() throws Exception {
        model = TestVideos.model(dir);
        video = TestVideos.losslessVideo(dir.resolve("in.mkv"), N, W, H, 25);
    }

    /** What the demo's listener saw, per frame index. */
    static final class Seen implements FrameListener {
        final int[] best = new int[4 * N];
        final float[] p = new float[4 * N];
        final int[] stride = new int[4 * N];
        int frames;

        Seen() {
            Arrays.fill(best, -1);
        }

        @Override
        public void onFrame(io.edgekd.examples.source.VideoFrame frame, Classification top, long inferNanos) {
            int i = frames++;
            best[i] = top.index(0);
            p[i] = top.probability(0);
            stride[i] = frame.stride();
        }
    }

    static ExitCode run(Seen seen, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return new CameraDemo(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), seen).run(args);
    }

    @Test
    void predictionsEqualDirectClassifyAndTheVideoAndLogComeOut() throws Exception {
        Path mp4 = dir.resolve("out.mp4");
        Path log = dir.resolve("predictions.jsonl");
        Seen seen = new Seen();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = run(seen, out, err, "--model", model.toString(), "file://" + video, "file://" + mp4, "--headless",
                "--top", "3", "--log", log.toString());
        assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(N, seen.frames);

        // The same frames classified directly: the demo hands FFmpeg's decoded pixels to classify unchanged.
        try (EdgeClassifier c = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            Classification top = c.newResult(3);
            for (int i = 0; i < N; i++) {
                c.classify(TestVideos.frame(i, W, H), W, H, PixelFormat.BGR24, top);
                assertEquals(top.index(0), seen.best[i], "frame " + i);
                assertEquals(top.probability(0), seen.p[i], 1e-6f, "frame " + i);
            }
        }
        // The frames classified kept FFmpeg's padded rows (a multiple of 64 bytes, more than 160 * 3): the stride
        // went to classify with the pixels, no repacking.
        assertTrue(seen.stride[0] > W * 3 && seen.stride[0] % 64 == 0, "stride " + seen.stride[0]);

        assertEquals(N, TestVideos.countFrames(mp4, W, H));
        assertFalse(Files.exists(dir.resolve(".out.mp4.part")));

        List<String> lines = Files.readAllLines(log);
        assertEquals(N, lines.size());
        for (int i = 0; i < N; i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> o = (Map<String, Object>) Json.parse(lines.get(i));
            assertEquals((double) i, o.get("frame"));
            assertTrue((Double) o.get("infer_ms") >= 0);
            assertTrue((Double) o.get("time_ms") > 1.7e12);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> topK = (List<Map<String, Object>>) o.get("top");
            assertEquals(3, topK.size());
            assertEquals(TestVideos.LABELS.get(seen.best[i]), topK.get(0).get("label"));
            assertEquals(seen.p[i], (Double) topK.get(0).get("p"), 1e-6);
            assertTrue((Double) topK.get(0).get("p") >= (Double) topK.get(1).get("p"));
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.contains(N + " frames in ") && o.contains("FPS end to end") && o.contains("infer"), o);
    }

    @Test
    void inputLoopPlaysTheFileAgainAndPicturesAreNumberedFromZero() throws Exception {
        Seen seen = new Seen();
        Path pics = Files.createDirectories(dir.resolve("pics"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = run(seen, out, err, "--model", model.toString(), video.toString(), "file://" + pics + "/frame_%i.jpg",
                "--input-loop", "2");
        assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(3 * N, seen.frames);
        assertEquals(seen.best[0], seen.best[N]);
        assertEquals(seen.p[5], seen.p[2 * N + 5], 1e-6f);
        assertTrue(Files.exists(pics.resolve("frame_0.jpg")));
        assertTrue(Files.exists(pics.resolve("frame_" + (3 * N - 1) + ".jpg")));
        assertFalse(Files.exists(pics.resolve("frame_" + 3 * N + ".jpg")));
    }

    @Test
    void rotate180IsAppliedBeforeClassifying() throws Exception {
        Seen seen = new Seen();
        ExitCode code = run(seen, new ByteArrayOutputStream(), new ByteArrayOutputStream(), "--model", model.toString(), video.toString(),
                "--headless", "--input-flip", "rotate-180");
        assertEquals(ExitCode.OK, code);
        assertEquals(N, seen.frames);
        try (EdgeClassifier c = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            Classification top = c.newResult(1);
            for (int i = 0; i < N; i++) {
                byte[] f = TestVideos.frame(i, W, H);
                byte[] r = new byte[f.length];
                for (int px = 0; px < W * H; px++) {
                    System.arraycopy(f, px * 3, r, (W * H - 1 - px) * 3, 3);
                }
                c.classify(r, W, H, PixelFormat.BGR24, top);
                assertEquals(top.index(0), seen.best[i], "frame " + i);
                assertEquals(top.probability(0), seen.p[i], 1e-6f, "frame " + i);
            }
        }
    }
}
