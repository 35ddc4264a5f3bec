package io.edgekd.examples.output;

import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.source.FfmpegSource;
import io.edgekd.examples.source.VideoFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

import java.io.IOException;
import java.nio.Buffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * A video file ({@code .mp4}, {@code .mkv}, {@code .avi}, {@code .mov}; H.264 through OpenH264 when the FFmpeg
 * build has it, else MPEG-4 part 2) or numbered pictures ({@code frame_%d.jpg} as MJPEG, {@code .png} as PNG)
 * through JavaCV's {@link FFmpegFrameRecorder}; for tests and checks also a lossless {@code .mkv}
 * ({@link #openLossless}). Frames of another size than the first are scaled by FFmpeg.
 *
 * <p>A video is written to a {@code .part} file beside the target and moved into place by {@link #close()},
 * after FFmpeg wrote the trailer (an MP4 without it does not play): a run that is killed leaves no half file
 * under the target's name. Pictures are written one by one, as they come.
 *
 * <p>Thread safety: one thread writes; {@link #close()} from the same thread (the frame loop closes it).
 */
public final class VideoFileOutput implements FrameOutput {
    private final OutputUri uri;
    private final Path target;
    private final Path part;
    private final FFmpegFrameRecorder recorder;
    private final Buffer[] planes = new Buffer[1];
    private final String codecName;
    private long frames;
    private boolean closed;

    private VideoFileOutput(OutputUri uri, Path target, Path part, FFmpegFrameRecorder recorder, String codecName) {
        this.uri = uri;
        this.target = target;
        this.part = part;
        this.recorder = recorder;
        this.codecName = codecName;
    }

    /**
     * @param uri       a {@link OutputUri.Kind#VIDEO_FILE} or {@link OutputUri.Kind#PICTURES} output
     * @param width     frame width
     * @param height    frame height
     * @param frameRate frames per second written into the video (the input's rate, or 30)
     * @return the opened output
     * @throws OutputException if the folder is missing or FFmpeg refuses the file
     */
    public static VideoFileOutput open(OutputUri uri, int width, int height, double frameRate) throws OutputException {
        Path target = prepare(uri);
        Path dir = target.getParent();
        double fps = frameRate > 0 && frameRate < 1000 ? frameRate : 30;
        String lower = target.getFileName().toString().toLowerCase(Locale.ROOT);
        if (uri.kind() == OutputUri.Kind.PICTURES) {
            FFmpegFrameRecorder r = new FFmpegFrameRecorder(target.toString(), width, height, 0);
            r.setFormat("image2");
            r.setFrameRate(fps);
            r.setOption("start_number", "0");
            if (lower.endsWith(".png")) {
                r.setVideoCodec(avcodec.AV_CODEC_ID_PNG);
                r.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            } else {
                r.setVideoCodec(avcodec.AV_CODEC_ID_MJPEG);
                r.setPixelFormat(avutil.AV_PIX_FMT_YUVJ420P);
                r.setVideoQuality(2);
            }
            start(uri, r);
            return new VideoFileOutput(uri, target, null, r, lower.endsWith(".png") ? "png" : "mjpeg");
        }
        String format = lower.endsWith(".mkv") ? "matroska" : lower.endsWith(".avi") ? "avi" : lower.endsWith(".mov") ? "mov" : "mp4";
        Path part = dir.resolve("." + target.getFileName() + ".part");
        OutputException h264Failure;
        try {
            return new VideoFileOutput(uri, target, part, video(uri, part, width, height, fps, format, avcodec.AV_CODEC_ID_H264), "h264");
        } catch (OutputException e) {
            h264Failure = e;
        }
        try {
            return new VideoFileOutput(uri, target, part, video(uri, part, width, height, fps, format, avcodec.AV_CODEC_ID_MPEG4), "mpeg4");
        } catch (OutputException e) {
            e.addSuppressed(h264Failure);
            throw e;
        }
    }

    /**
     * A lossless video for tests and cross-platform checks: FFV1 on BGR0 in Matroska, whose decoded frames
     * (as BGR24) are the very bytes written, on every platform FFmpeg runs on. Large: a 640x480 gray test picture
     * takes ~20 KB a frame. Not offered on the demo's command line.
     *
     * @param uri       a {@link OutputUri.Kind#VIDEO_FILE} output whose name ends in {@code .mkv}
     * @param width     frame width
     * @param height    frame height
     * @param frameRate frames per second written into the video
     * @return the opened output
     * @throws OutputException if the name does not end in {@code .mkv}, the folder is missing or FFmpeg refuses
     */
    public static VideoFileOutput openLossless(OutputUri uri, int width, int height, double frameRate) throws OutputException {
        Path target = prepare(uri);
        if (uri.kind() != OutputUri.Kind.VIDEO_FILE || !target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mkv")) {
            throw new OutputException(uri + ": expected a .mkv file for a lossless video (FFV1 in Matroska), found "
                    + target.getFileName());
        }
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        double fps = frameRate > 0 && frameRate < 1000 ? frameRate : 30;
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(part.toString(), width, height, 0);
        r.setFormat("matroska");
        r.setVideoCodec(avcodec.AV_CODEC_ID_FFV1);
        r.setPixelFormat(avutil.AV_PIX_FMT_BGR0);
        r.setFrameRate(fps);
        start(uri, r);
        return new VideoFileOutput(uri, target, part, r, "ffv1");
    }

    /** @return the target's absolute path, once its folder is known to be writable and FFmpeg loads */
    private static Path prepare(OutputUri uri) throws OutputException {
        Path target = Path.of(uri.location()).toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new OutputException(uri + ": the folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new OutputException(uri + ": the folder " + dir + " is not writable");
        }
        try {
            FfmpegSource.quietFfmpegLog();
        } catch (LinkageError e) {
            throw new OutputException(uri + ": " + FfmpegSource.nativeLibraryProblem(e), e);
        }
        return target;
    }

    private static FFmpegFrameRecorder video(OutputUri uri, Path part, int width, int height, double fps, String format, int codec)
            throws OutputException {
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(part.toString(), width, height, 0);
        r.setFormat(format);
        r.setVideoCodec(codec);
        r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        r.setFrameRate(fps);
        r.setGopSize((int) Math.round(fps * 2));
        // About 0.1 bit per pixel per frame: a clear picture of the overlay at modest size.
        r.setVideoBitrate((int) Math.min(20_000_000L, Math.max(500_000L, (long) (width * (long) height * fps * 0.1))));
        start(uri, r);
        return r;
    }

    private static void start(OutputUri uri, FFmpegFrameRecorder r) throws OutputException {
        try {
            r.start();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            try {
                r.release();
            } catch (FrameRecorder.Exception | RuntimeException ignored) {
                // nothing was written
            }
            throw new OutputException(uri + ": FFmpeg cannot write it (" + e.getMessage() + ")", e);
        }
    }

    /** @return the encoder in use: {@code h264}, {@code mpeg4}, {@code mjpeg}, {@code png} or {@code ffv1} */
    public String codec() {
        return codecName;
    }

    @Override
    public void write(VideoFrame frame) throws OutputException {
        if (closed) {
            throw new IllegalStateException(uri + " is closed");
        }
        PixelFormat f = frame.format();
        int ffmpegFormat = switch (f) {
            case BGR24 -> avutil.AV_PIX_FMT_BGR24;
            case RGB24 -> avutil.AV_PIX_FMT_RGB24;
            case BGRA32 -> avutil.AV_PIX_FMT_BGR0;
            case RGBA32 -> avutil.AV_PIX_FMT_RGB0;
            case GRAY8 -> avutil.AV_PIX_FMT_GRAY8;
            default -> throw new IllegalArgumentException(uri + ": expected a packed RGB, BGR or gray frame, found " + f);
        };
        planes[0] = frame.pixels();
        try {
            recorder.recordImage(frame.width(), frame.height(), Frame.DEPTH_UBYTE, f.bytesPerPixel(), frame.stride(), ffmpegFormat, planes);
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new OutputException(uri + ": writing frame " + frames + " failed (" + e.getMessage() + ")", e);
        }
        frames++;
    }

    /** @return frames written so far */
    public long frames() {
        return frames;
    }

    @Override
    public void close() throws OutputException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            recorder.stop();   // writes the trailer
            recorder.release();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new OutputException(uri + ": finishing the file failed (" + e.getMessage() + ")", e);
        }
        if (part != null) {
            try {
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new OutputException(uri + ": cannot move the finished video into place: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return uri + " (" + codecName + ")";
    }
}
