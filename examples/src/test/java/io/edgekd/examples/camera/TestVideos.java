package io.edgekd.examples.camera;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.TestModels;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Synthetic frames, a lossless video of them, and a small model, for the camera demo's tests. */
final class TestVideos {
    static final List<String> LABELS = List.of("ankle boot", "bag", "coat", "dress", "sneaker");

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private TestVideos() {
    }

    static Path model(Path dir) throws Exception {
        ModelSpec spec = ModelSpec.builder().labels(LABELS).input(3, 16, 16).pixelOrder(PixelOrder.RGB).build();
        return new TestModels(spec, 7).write(dir, "student.onnx");
    }

    /** Frame {@code i}: moving gradients and a bright square, different enough for the model to change its mind. */
    static byte[] frame(int i, int w, int h) {
        byte[] bgr = new byte[w * h * 3];
        int sq = (i * 7) % Math.max(1, w - w / 4);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                boolean inSquare = x >= sq && x < sq + w / 4 && y >= h / 3 && y < h / 3 + h / 4;
                bgr[p] = (byte) (inSquare ? 255 : (x * 255 / w + i * 9));
                bgr[p + 1] = (byte) (inSquare ? 240 : (y * 255 / h + i * 5));
                bgr[p + 2] = (byte) (inSquare ? 30 : ((x + y + i * 13) & 0xff));
            }
        }
        return bgr;
    }

    /** Writes {@code n} frames losslessly (FFV1 on BGR0 in Matroska: decoding gives back the very BGR24 bytes). */
    static Path losslessVideo(Path file, int n, int w, int h, double fps) throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toString(), w, h, 0)) {
            r.setFormat("matroska");
            r.setVideoCodec(avcodec.AV_CODEC_ID_FFV1);
            r.setPixelFormat(avutil.AV_PIX_FMT_BGR0);
            r.setFrameRate(fps);
            r.start();
            Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3, w * 3);
            for (int i = 0; i < n; i++) {
                ((ByteBuffer) f.image[0]).clear().put(frame(i, w, h));
                r.record(f, avutil.AV_PIX_FMT_BGR24);
            }
            r.stop();
        }
        return file;
    }

    /** Decodes a video and counts its frames; checks their size. */
    static int countFrames(Path file, int w, int h) throws Exception {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toString())) {
            g.start();
            if (g.getImageWidth() != w || g.getImageHeight() != h) {
                throw new AssertionError("expected " + w + "x" + h + ", found " + g.getImageWidth() + "x" + g.getImageHeight());
            }
            int n = 0;
            while (g.grabImage() != null) {
                n++;
            }
            g.stop();
            return n;
        }
    }
}
