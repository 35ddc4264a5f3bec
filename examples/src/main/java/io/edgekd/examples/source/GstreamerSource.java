package io.edgekd.examples.source;

import io.edgekd.core.image.PixelFormat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Jetson CSI camera read from a {@code gst-launch-1.0} child process: JavaCV's FFmpeg and OpenCV carry no
 * GStreamer, and {@code nvarguscamerasrc} exists only as a GStreamer element. The pipeline is
 *
 * <pre>
 * gst-launch-1.0 -q -e nvarguscamerasrc sensor-id=N
 *     ! video/x-raw(memory:NVMM),width=W,height=H,framerate=R/1
 *     ! nvvidconv flip-method=F
 *     ! video/x-raw,format=BGRx,width=W,height=H ! fdsink fd=3     (run as: ... 3&gt;&amp;1 1&gt;&amp;2)
 * </pre>
 *
 * <p>Frames travel as raw BGRx on descriptor 3, which the shell points at our pipe, while the child's stdout
 * (where {@code nvarguscamerasrc} prints its status lines with printf) goes to stderr: frames and text never
 * mix. BGRx needs no CPU conversion ({@code nvvidconv} does it on the VIC) and has no row padding (GStreamer pads
 * BGR rows to a multiple of 4 bytes). The child's stderr is drained on a thread and its last lines explain a
 * failure. {@link #close()} sends SIGINT, on which {@code -e} makes gst-launch send EOS and end cleanly
 * (SIGTERM would not), then destroys the process if it lingers.
 *
 * <p>The part before the caps is the "camera element"; tests swap it for {@code videotestsrc} and run the same
 * code. Thread safety: as {@link FrameSource}; closing from another thread ends a blocked read with end of
 * stream.
 */
public final class GstreamerSource implements FrameSource {
    private static final int STDERR_LINES = 20;

    private final String description;
    private final Process process;
    private final InputStream frames;
    private final byte[] staging;
    private final Thread stderrDrain;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final int width;
    private final int height;
    private final double frameRate;
    private final int frameBytes;
    private final long startNanos = System.nanoTime();
    private long index;
    private volatile boolean closing;
    private boolean closed;

    private GstreamerSource(String description, Process process, int width, int height, double frameRate) {
        this.description = description;
        this.process = process;
        this.width = width;
        this.height = height;
        this.frameRate = frameRate;
        this.frameBytes = width * height * 4;
        this.frames = process.getInputStream();
        // Reads as large as the pipe gives (64 KB), not the 8 KB a channel over the stream would use; one bulk copy
        // into the slot's direct buffer per frame.
        this.staging = new byte[frameBytes];
        this.stderrDrain = new Thread(this::drainStderr, "gst-stderr");
        this.stderrDrain.setDaemon(true);
        this.stderrDrain.start();
    }

    /**
     * The camera element for a Jetson CSI sensor: Argus, NVMM caps and {@code nvvidconv} (which flips and
     * converts to BGRx).
     *
     * @param sensorId {@code sensor-id}
     * @param width    capture width
     * @param height   capture height
     * @param rate     frames per second
     * @param flip     {@code nvvidconv flip-method}
     * @return the pipeline up to, not including, the BGRx caps
     */
    public static String argusElement(int sensorId, int width, int height, int rate, Flip flip) {
        return "nvarguscamerasrc sensor-id=" + sensorId + " ! video/x-raw(memory:NVMM),width=" + width + ",height=" + height
                + ",framerate=" + rate + "/1,format=NV12 ! nvvidconv flip-method=" + flip.nvvidconvMethod();
    }

    /**
     * The whole shell command that runs the pipeline with frames on descriptor 3.
     *
     * @param cameraElement the pipeline's head, such as {@link #argusElement}
     * @param width         frame width
     * @param height        frame height
     * @return the command for {@code sh -c}
     */
    public static String command(String cameraElement, int width, int height) {
        return "exec gst-launch-1.0 -q -e " + cameraElement + " ! video/x-raw,format=BGRx,width=" + width + ",height=" + height
                + " ! fdsink fd=3 sync=false 3>&1 1>&2";
    }

    /**
     * Starts the pipeline.
     *
     * @param description   what to call it in messages ({@code csi://0})
     * @param cameraElement the pipeline's head
     * @param width         frame width
     * @param height        frame height
     * @param rate          frames per second the pipeline is asked for
     * @return the source; frames start arriving when the camera is up
     * @throws SourceException if gst-launch-1.0 cannot be started
     */
    public static GstreamerSource open(String description, String cameraElement, int width, int height, int rate) throws SourceException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", command(cameraElement, width, height)));
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            return new GstreamerSource(description, p, width, height, rate);
        } catch (IOException e) {
            throw new SourceException(description + ": cannot start gst-launch-1.0 (install gstreamer1.0-tools): " + e.getMessage(), e);
        }
    }

    private void drainStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public boolean read(VideoFrame into) throws SourceException {
        long t0 = System.nanoTime();
        ByteBuffer dst = into.ensureCapacity(frameBytes);
        int got = 0;
        try {
            while (got < frameBytes) {
                int n = frames.read(staging, got, frameBytes - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (IOException e) {
            if (closing) {
                return false;
            }
            throw new SourceException(description + ": reading frames from gst-launch-1.0 failed: " + e.getMessage(), e);
        }
        if (got < frameBytes) {
            if (closing) {
                return false;
            }
            return endOfPipe(got);
        }
        dst.put(0, staging, 0, frameBytes);
        into.describe(width, height, width * 4, PixelFormat.BGRA32);
        into.stamp(index++, (System.nanoTime() - startNanos) / 1000, System.currentTimeMillis(), System.nanoTime() - t0);
        return true;
    }

    private boolean endOfPipe(int got) throws SourceException {
        int exit;
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                throw new SourceException(description + ": gst-launch-1.0 closed its frame output but did not exit");
            }
            exit = process.exitValue();
            stderrDrain.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        String tail = stderrTail();
        if (exit == 0 && got == 0) {
            return false;
        }
        String hint = tail.contains("Failed to create CaptureSession") || tail.contains("nvargus")
                ? "; the Argus daemon refused the camera: 'sudo systemctl restart nvargus-daemon' usually cures it"
                : tail.contains("no element") ? "; a GStreamer element is missing (on a Jetson, nvarguscamerasrc and nvvidconv come with JetPack)" : "";
        throw new SourceException(description + ": gst-launch-1.0 ended (exit " + exit + ")" + (index == 0 ? " before the first frame" : "")
                + (tail.isEmpty() ? "" : ": " + tail) + hint);
    }

    /** @return the last lines the child printed on stderr, joined */
    public String stderrTail() {
        synchronized (stderrTail) {
            return String.join(" | ", stderrTail);
        }
    }

    @Override
    public void rewind() {
        throw new UnsupportedOperationException(description + " is live; it has no beginning to go back to");
    }

    @Override
    public boolean isLive() {
        return true;
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
        return description;
    }

    /** @return the child process, for tests */
    Process process() {
        return process;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        try {
            if (process.isAlive()) {
                // SIGINT: with -e, gst-launch sends EOS down the pipeline and the camera is released properly.
                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(2, TimeUnit.SECONDS);
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(2, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            InputStream in = process.getInputStream();
            in.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
