package io.edgekd.examples.camera;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.examples.output.OutputException;
import io.edgekd.examples.output.OutputUri;
import io.edgekd.examples.output.VideoFileOutput;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code SampleVideo --lossless}: decoding the video gives back the drawn frames bit for bit. */
@Timeout(60)
class SampleVideoTest {
    static final int W = 80;
    static final int H = 60;

    @TempDir
    Path dir;

    @Test
    void aLosslessSampleVideoDecodesToExactlyTheDrawnFrames() throws Exception {
        List<String> classes = List.of("a", "b", "c");
        int n = 6;
        byte[][] images = new byte[n][28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 28 * 28; p++) {
                images[i][p] = (byte) (p * (i + 3) + i * 41);
            }
        }
        ImageDataset data = ImageDataset.of(28, 28, 1, classes, images, labels, "test");
        Path mkv = dir.resolve("sample.mkv");
        int hold = 2;
        int pictures = 5;
        SampleVideo.write(data, mkv, W, H, hold, pictures, true);
        assertFalse(Files.exists(dir.resolve(".sample.mkv.part")));

        // The pictures SampleVideo picks: one of each class in turn (0, 1, 2, 3, 4 here).
        int[] picked = {0, 1, 2, 3, 4};
        ByteBuffer expected = ByteBuffer.allocate(W * H * 3);
        byte[] img = new byte[28 * 28];
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mkv.toString())) {
            g.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            g.start();
            assertEquals("ffv1", g.getVideoCodecName());
            for (int f = 0; f < hold * pictures; f++) {
                Frame frame = g.grabImage();
                assertTrue(frame != null, "frame " + f);
                data.copyImage(picked[f / hold], img, 0);
                SampleVideo.draw(expected, img, 28, W, H);
                ByteBuffer got = (ByteBuffer) frame.image[0];
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W * 3; x++) {
                        assertEquals(expected.get(y * W * 3 + x), got.get(y * frame.imageStride + x), "frame " + f + " row " + y + " byte " + x);
                    }
                }
            }
            assertEquals(null, g.grabImage());
            g.stop();
        }
    }

    @Test
    void losslessNeedsAMatroskaName() {
        OutputException e = assertThrows(OutputException.class,
                () -> VideoFileOutput.openLossless(OutputUri.parse("file://" + dir.resolve("x.mp4")), W, H, 30));
        assertTrue(e.getMessage().endsWith("expected a .mkv file for a lossless video (FFV1 in Matroska), found x.mp4"), e.getMessage());
    }
}
