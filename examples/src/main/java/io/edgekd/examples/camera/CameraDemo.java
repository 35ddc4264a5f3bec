package io.edgekd.examples.camera;

import io.edgekd.examples.output.DisplayOutput;
import io.edgekd.examples.output.FrameOutput;
import io.edgekd.examples.output.OutputException;
import io.edgekd.examples.output.OutputUri;
import io.edgekd.examples.output.VideoFileOutput;
import io.edgekd.examples.source.FfmpegSource;
import io.edgekd.examples.source.FrameSource;
import io.edgekd.examples.source.GstreamerSource;
import io.edgekd.examples.source.ImageFolderSource;
import io.edgekd.examples.source.SourceException;
import io.edgekd.examples.source.SourceUri;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The camera demo ({@code java -jar edgekd-camera.jar}): classifies a camera, a video, a folder of pictures or
 * a network stream with an edgekd model, draws the top classes, the inference time and the frame rate on the
 * frames, and shows or records them. See {@link DemoOptions#USAGE} for the command line and {@link ExitCode}
 * for how it ends.
 *
 * <p>The system property {@code edgekd.camera.csiSource} replaces the GStreamer element that reads a
 * {@code csi://} camera ({@code nvarguscamerasrc ... ! nvvidconv}) by another pipeline head whose output
 * {@code videoconvert}/{@code nvvidconv} can turn into BGRx: the tests use {@code videotestsrc}, and any
 * GStreamer camera works the same way.
 *
 * <p>Thread safety: {@link #run(String...)} once per instance; {@link #stop()} from any thread (the shutdown
 * hook on Ctrl-C and SIGTERM).
 */
public final class CameraDemo {
    /** Environment variable holding {@code user:pass} for a network input that names none. */
    public static final String CREDENTIALS_ENV = "EDGEKD_INPUT_CREDENTIALS";

    private final PrintStream out;
    private final PrintStream err;
    private final FrameListener listener;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile FrameLoop loop;
    private volatile boolean stopRequested;

    /**
     * @param out      where the report and the summary go
     * @param err      where errors go
     * @param listener called after every frame, or null
     */
    public CameraDemo(PrintStream out, PrintStream err, FrameListener listener) {
        this.out = out;
        this.err = err;
        this.listener = listener;
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        CameraDemo demo = new CameraDemo(System.out, System.err, null);
        boolean[] bySignal = new boolean[1];
        Thread hook = new Thread(() -> {
            bySignal[0] = true;
            demo.stop();
            demo.awaitFinished(15, TimeUnit.SECONDS);
        }, "edgekd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = demo.run(args).status();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutdown is already under way (Ctrl-C or SIGTERM): the JVM ends with the signal's status once the hook
            // returns; calling System.exit now would block forever.
            return;
        }
        System.exit(status);
    }

    /** Ends the run after the frame in progress; the output is finalised. Idempotent. */
    public void stop() {
        stopRequested = true;
        FrameLoop l = loop;
        if (l != null) {
            l.stop();
        }
    }

    /**
     * @param time how long at most
     * @param unit its unit
     * @return whether the run has finished (its outputs closed)
     */
    public boolean awaitFinished(long time, TimeUnit unit) {
        try {
            return finished.await(time, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs the demo.
     *
     * @param args the command line
     * @return how it ended
     */
    public ExitCode run(String... args) {
        try {
            return runInternal(args);
        } catch (RuntimeException | Error e) {
            err.println("edgekd camera: internal error: " + e);
            e.printStackTrace(err);
            return ExitCode.INTERNAL;
        } finally {
            finished.countDown();
        }
    }

    private ExitCode runInternal(String... args) {
        DemoOptions o;
        try {
            o = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                err.println("edgekd camera: " + e.getMessage());
            }
            err.println(DemoOptions.USAGE);
            return ExitCode.USAGE;
        }
        SourceUri uri;
        try {
            uri = SourceUri.parse(o.input(), credentials(o));
        } catch (IllegalArgumentException e) {
            err.println("edgekd camera: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (IOException e) {
            err.println("edgekd camera: --input-credentials: cannot read " + o.credentials() + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
        EdgeOptions options = EdgeOptions.builder().providers(o.providers()).intraOpThreads(o.threads()).build();
        try (EdgeClassifier classifier = EdgeClassifier.open(o.model(), options)) {
            FrameSource source;
            try {
                source = openSource(uri, o);
            } catch (SourceException e) {
                err.println("edgekd camera: " + e.getMessage());
                return ExitCode.INPUT_OPEN;
            }
            FrameOutput output;
            PredictionLog log = null;
            try {
                output = openOutput(o.output(), source, uri);
                if (o.log() != null) {
                    try {
                        log = new PredictionLog(o.log(), classifier.labels());
                    } catch (IOException e) {
                        if (output != null) {
                            output.close();
                        }
                        throw new OutputException("--log " + o.log() + ": cannot create it: " + e.getMessage(), e);
                    }
                }
            } catch (OutputException e) {
                source.close();
                err.println("edgekd camera: " + e.getMessage());
                return ExitCode.OUTPUT;
            }
            out.printf(Locale.ROOT, "edgekd camera: %s (%d classes) on %s; input %s %dx%d%s; output %s%n", o.model().getFileName(),
                    classifier.labels().size(), classifier.activeProvider(), source.description(), source.width(), source.height(),
                    source.frameRate() > 0 ? String.format(Locale.ROOT, " at %.4g fps", source.frameRate()) : "",
                    output == null ? "none (headless)" : output.toString());
            FrameLoop l = FrameLoop.builder(classifier, source).output(output).log(log).listener(listener).top(o.top())
                    .loops(o.loops()).timeoutSeconds(o.timeout()).report(o.statsSeconds() > 0 ? out : null, Math.max(0.1, o.statsSeconds()))
                    .build();
            loop = l;
            if (stopRequested) {
                l.stop();
            }
            FrameLoop.Result r = l.run();
            if (r.message() != null) {
                err.println("edgekd camera: " + uri.redact(r.message()));
            }
            out.println("edgekd camera: " + (r.stopped() ? "stopped; " : r.code() == ExitCode.OK ? "end of input; " : "") + r.summary());
            return r.code();
        } catch (EdgeModelException e) {
            err.println("edgekd camera: " + e.getMessage());
            return ExitCode.MODEL;
        }
    }

    private static String credentials(DemoOptions o) throws IOException {
        if (o.credentials() != null) {
            String s = Files.readString(o.credentials()).strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl).strip();
        }
        return System.getenv(CREDENTIALS_ENV);
    }

    private static FrameSource openSource(SourceUri uri, DemoOptions o) throws SourceException {
        long timeoutMicros = (long) (o.timeout() * 1e6);
        return switch (uri.kind()) {
            case CSI -> {
                int w = o.inputWidth() > 0 ? o.inputWidth() : 1280;
                int h = o.inputHeight() > 0 ? o.inputHeight() : 720;
                int rate = o.inputRate() > 0 ? (int) Math.round(o.inputRate()) : 30;
                String custom = System.getProperty("edgekd.camera.csiSource");
                String element = custom != null && !custom.isBlank() ? custom
                        : GstreamerSource.argusElement(uri.sensorId(), w, h, rate, o.flip());
                yield GstreamerSource.open(uri.toString(), element, w, h, rate);
            }
            case V4L2, FILE, NETWORK -> FfmpegSource.open(uri, o.inputWidth(), o.inputHeight(), o.inputRate(), o.inputCodec(),
                    o.flip(), timeoutMicros);
            case IMAGE_FOLDER -> ImageFolderSource.open(uri, o.flip());
        };
    }

    private static FrameOutput openOutput(OutputUri o, FrameSource source, SourceUri input) throws OutputException {
        if (o == null) {
            return null;
        }
        return switch (o.kind()) {
            case DISPLAY -> DisplayOutput.open(o, "edgekd - " + input, source.width(), source.height());
            case VIDEO_FILE, PICTURES -> {
                Path p = Path.of(o.location());
                if (p.toAbsolutePath().getParent() == null) {
                    throw new OutputException(o + ": expected a file path");
                }
                yield VideoFileOutput.open(o, source.width(), source.height(), source.frameRate());
            }
        };
    }
}
