package io.edgekd.examples.source;

import io.edgekd.core.image.PixelFormat;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Video files, V4L2 cameras and network streams through JavaCV's {@link FFmpegFrameGrabber}, decoded to BGR24.
 *
 * <p>JavaCV returns the same {@link Frame} from every grab, its pixels valid only until the next grab, while the
 * next grab must run as the previous frame is classified. So, without a flip, the grabber runs in JavaCV's raw
 * mode and this source converts the decoder's picture (YUV, usually) to BGR24 itself, with the same
 * {@code sws_scale} JavaCV would call, writing straight into the exchange slot: the frame's pixels are written
 * once, by the conversion, and never copied afterwards (rows padded to 64 bytes, as JavaCV pads them). With a
 * flip, JavaCV converts and the flip is applied while the picture is copied into the slot. Network
 * inputs get FFmpeg's socket timeouts ({@code timeout}, {@code rw_timeout}: {@code FrameGrabber.setTimeout} is
 * ignored by FFmpeg), TCP transport for RTSP and no input buffering.
 *
 * <p>Thread safety: as {@link FrameSource}: {@link #close()} from another thread while a read is blocked waits
 * for that read (JavaCV synchronises them), which the socket timeouts bound.
 */
public final class FfmpegSource implements FrameSource {
    private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-?\\d+)");

    private final SourceUri uri;
    private final FFmpegFrameGrabber grabber;
    private final Flip flip;
    private final int width;
    private final int height;
    private final double frameRate;
    private long index;
    private boolean closed;
    // The direct conversion's native state, made on the first frame and again only when the picture changes.
    private SwsContext sws;
    private int swsWidth;
    private int swsHeight;
    private int swsFormat = -1;
    private long srcAddress;
    private PointerPointer<?> srcData;
    private IntPointer srcLines;
    private final ByteBuffer[] dstBuffers = new ByteBuffer[4];
    private final PointerPointer<?>[] dstData = new PointerPointer<?>[4];
    private final IntPointer[] dstLines = new IntPointer[4];
    private final BytePointer[] dstPointers = new BytePointer[4];
    private int dstNext;

    private FfmpegSource(SourceUri uri, FFmpegFrameGrabber grabber, Flip flip) {
        this.uri = uri;
        this.grabber = grabber;
        this.flip = flip;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
        this.frameRate = grabber.getFrameRate();
    }

    /**
     * Opens a file, V4L2 device or network stream.
     *
     * @param uri           a {@link SourceUri.Kind#FILE}, {@link SourceUri.Kind#V4L2} or {@link SourceUri.Kind#NETWORK} input
     * @param width         requested width for cameras, 0 for the device's default
     * @param height        requested height for cameras, 0 for the default
     * @param rate          requested frame rate for cameras, 0 for the default
     * @param codec         for V4L2 cameras, the format to ask for ({@code mjpeg}, {@code yuyv422}, {@code h264}), or null
     * @param flip          a flip that keeps the frame's shape
     * @param timeoutMicros socket timeout for network inputs
     * @return the opened source
     * @throws SourceException when it cannot be opened, with the likely reason
     */
    public static FfmpegSource open(SourceUri uri, int width, int height, double rate, String codec, Flip flip, long timeoutMicros)
            throws SourceException {
        if (!flip.keepsShape()) {
            throw new SourceException(uri + ": --input-flip " + flip.key() + " rotates by 90 degrees, which only csi:// inputs do "
                    + "(in nvvidconv); expected none, horizontal, vertical or rotate-180");
        }
        switch (uri.kind()) {
            case FILE -> {
                Path p = Path.of(uri.location());
                if (!Files.exists(p)) {
                    throw new SourceException(uri + ": no such file");
                }
                if (!Files.isReadable(p)) {
                    throw new SourceException(uri + ": the file is not readable (permissions)");
                }
            }
            case V4L2 -> {
                Path p = Path.of(uri.location());
                if (!Files.exists(p)) {
                    throw new SourceException(uri + ": no such camera (" + p + " does not exist; cameras present: " + presentCameras() + ")");
                }
            }
            case NETWORK -> {
                // checked by FFmpeg
            }
            default -> throw new IllegalArgumentException("FfmpegSource reads files, V4L2 cameras and network streams, found " + uri.kind());
        }
        try {
            quietFfmpegLog();
        } catch (LinkageError e) {
            throw new SourceException(uri + ": " + nativeLibraryProblem(e), e);
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(uri.connectUrl());
        g.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        if (flip == Flip.NONE) {
            g.setImageMode(FrameGrabber.ImageMode.RAW);
        }
        if (uri.kind() == SourceUri.Kind.V4L2) {
            g.setFormat("video4linux2");
            if (width > 0 && height > 0) {
                g.setImageWidth(width);
                g.setImageHeight(height);
            }
            if (rate > 0) {
                g.setFrameRate(rate);
            }
            if (codec != null) {
                // Many USB cameras give 30 fps at 640x480 and above only as MJPEG.
                g.setOption("input_format", codec);
            }
        } else if (uri.kind() == SourceUri.Kind.NETWORK) {
            String t = Long.toString(timeoutMicros);
            g.setOption("timeout", t);      // RTSP: socket I/O timeout; also the listen timeout of others
            g.setOption("rw_timeout", t);   // every protocol that reads through AVIOContext
            g.setOption("fflags", "nobuffer");
            g.setOption("flags", "low_delay");
            if (uri.location().regionMatches(true, 0, "rtsp", 0, 4)) {
                g.setOption("rtsp_transport", "tcp");
            }
        }
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(g);
            throw new SourceException(explainOpen(uri, e), e);
        }
        if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            release(g);
            throw new SourceException(uri + ": has no video stream");
        }
        return new FfmpegSource(uri, g, flip);
    }

    private static volatile boolean logQuieted;

    /**
     * FFmpeg prints to the process's stderr itself, past any Java redaction: keep it quiet (its lines may quote
     * a URL with credentials). {@code -Dedgekd.camera.ffmpegLog=true} shows its info lines for debugging.
     */
    public static void quietFfmpegLog() {
        if (!logQuieted) {
            avutil.av_log_set_level(Boolean.getBoolean("edgekd.camera.ffmpegLog") ? avutil.AV_LOG_INFO : avutil.AV_LOG_QUIET);
            logQuieted = true;
        }
    }

    /**
     * @param e what loading FFmpeg's libraries threw
     * @return a message naming the missing system library and the packages that bring it
     */
    public static String nativeLibraryProblem(LinkageError e) {
        Throwable t = e;
        String detail = String.valueOf(e.getMessage());
        while (t.getCause() != null) {
            t = t.getCause();
            detail = String.valueOf(t.getMessage());
        }
        return "FFmpeg's native libraries cannot be loaded (" + detail + "); on arm64 they need libraries of the system: "
                + "sudo apt install libva2 libva-drm2 libdrm2 libpulse0 libxcb1 libxcb-shm0";
    }

    private static String presentCameras() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            if (Files.exists(Path.of("/dev/video" + i))) {
                sb.append(sb.length() == 0 ? "" : ", ").append("/dev/video").append(i);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    static String explainOpen(SourceUri uri, Exception e) {
        String raw = uri.redact(String.valueOf(e.getMessage()));
        Matcher m = FFMPEG_ERROR.matcher(raw);
        int code = m.find() ? Integer.parseInt(m.group(1)) : 0;
        String why = switch (code) {
            case -2 -> uri.kind() == SourceUri.Kind.V4L2 ? "no such camera" : "not found";
            case -16 -> "the camera is busy (another program has it open)";
            case -13 -> "permission denied (add the user to the 'video' group)";
            case -19, -6 -> "the camera is not there any more (unplugged?)";
            case -110 -> "no answer before the timeout (stream stalled or host unreachable)";
            case -111 -> "connection refused";
            case -113, -101 -> "host unreachable";
            case -1094995529 -> uri.kind() == SourceUri.Kind.FILE ? "not a video FFmpeg can read (invalid or corrupt data)" : "invalid data from the stream";
            case -5 -> "input/output error";
            default -> null;
        };
        if (why == null && uri.kind() == SourceUri.Kind.NETWORK && raw.contains("timed out")) {
            why = "no answer before the timeout (stream stalled or host unreachable)";
        }
        return uri + ": " + (why != null ? why : "cannot open") + " (" + firstLine(raw) + ")";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public boolean read(VideoFrame into) throws SourceException {
        long t0 = System.nanoTime();
        Frame f;
        try {
            f = grabber.grabImage();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new SourceException(uri + ": " + (uri.kind() == SourceUri.Kind.V4L2 ? "the camera stopped delivering frames (unplugged?)"
                    : uri.kind() == SourceUri.Kind.NETWORK ? "the stream failed or stalled" : "cannot decode")
                    + " (" + firstLine(uri.redact(String.valueOf(e.getMessage()))) + ")", e);
        }
        if (f == null || f.image == null || f.image[0] == null) {
            if (uri.kind() == SourceUri.Kind.V4L2) {
                throw new SourceException(uri + ": the camera stopped delivering frames (unplugged?)");
            }
            return false;
        }
        if (flip == Flip.NONE) {
            convertInto((AVFrame) f.opaque, into);
        } else {
            int w = f.imageWidth;
            int h = f.imageHeight;
            int stride = f.imageStride;
            ByteBuffer src = (ByteBuffer) f.image[0];
            ByteBuffer dst = into.ensureCapacity(stride * h);
            FrameCopy.copy(src, stride, dst, stride, w, h, 3, flip);
            into.describe(w, h, stride, PixelFormat.BGR24);
        }
        into.stamp(index++, grabber.getTimestamp(), System.currentTimeMillis(), System.nanoTime() - t0);
        return true;
    }

    /** Converts the decoder's picture to BGR24 straight into the slot's buffer. */
    private void convertInto(AVFrame picture, VideoFrame into) throws SourceException {
        int w = picture.width();
        int h = picture.height();
        int fmt = picture.format();
        if (sws == null || w != swsWidth || h != swsHeight || fmt != swsFormat) {
            sws = swscale.sws_getCachedContext(sws, w, h, fmt, w, h, avutil.AV_PIX_FMT_BGR24, swscale.SWS_BILINEAR, null, null,
                    (DoublePointer) null);
            if (sws == null || sws.isNull()) {
                throw new SourceException(uri + ": FFmpeg cannot convert " + w + "x" + h + " pixel format " + fmt + " to BGR24");
            }
            swsWidth = w;
            swsHeight = h;
            swsFormat = fmt;
        }
        if (picture.address() != srcAddress) {
            // AVFrame starts with its data[8] pointers: the frame itself serves as the source plane array.
            srcData = new PointerPointer<>(picture);
            srcLines = picture.linesize();
            srcAddress = picture.address();
        }
        int stride = (w * 3 + 63) & ~63;
        ByteBuffer dst = into.ensureCapacity(stride * h);
        int slot = destination(dst, stride);
        swscale.sws_scale(sws, srcData, srcLines, 0, h, dstData[slot], dstLines[slot]);
        into.describe(w, h, stride, PixelFormat.BGR24);
    }

    /** The native view of a slot's buffer, made once per buffer (the exchange has three). */
    private int destination(ByteBuffer dst, int stride) {
        for (int i = 0; i < dstBuffers.length; i++) {
            if (dstBuffers[i] == dst && dstLines[i].get(0) == stride) {
                return i;
            }
        }
        int i = dstNext;
        dstNext = (dstNext + 1) % dstBuffers.length;
        if (dstPointers[i] != null) {
            dstPointers[i].close();
            dstData[i].close();
            dstLines[i].close();
        }
        dstBuffers[i] = dst;
        dstPointers[i] = new BytePointer(dst);
        dstData[i] = new PointerPointer<>(4).put(0, dstPointers[i]);
        dstLines[i] = new IntPointer(stride, 0, 0, 0);
        return i;
    }

    @Override
    public void rewind() throws SourceException {
        if (isLive()) {
            throw new UnsupportedOperationException(uri + " is live; it has no beginning to go back to");
        }
        try {
            grabber.setTimestamp(0);
        } catch (FrameGrabber.Exception e) {
            try {
                grabber.restart();
            } catch (FrameGrabber.Exception e2) {
                throw new SourceException(uri + ": cannot start again from the beginning (" + firstLine(String.valueOf(e2.getMessage())) + ")", e2);
            }
        }
    }

    @Override
    public boolean isLive() {
        return uri.kind() != SourceUri.Kind.FILE;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public double frameRate() {
        return frameRate;
    }

    @Override
    public String description() {
        return uri.toString();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        release(grabber);
        if (sws != null) {
            swscale.sws_freeContext(sws);
            sws = null;
        }
        for (int i = 0; i < dstPointers.length; i++) {
            if (dstPointers[i] != null) {
                dstData[i].close();
                dstLines[i].close();
                dstBuffers[i] = null;
            }
        }
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            // nothing left to do with a grabber that fails to close
        }
    }
}
