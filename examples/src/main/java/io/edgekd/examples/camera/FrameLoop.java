package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;
import io.edgekd.examples.output.FrameOutput;
import io.edgekd.examples.output.OutputException;
import io.edgekd.examples.overlay.Overlay;
import io.edgekd.examples.source.FrameExchange;
import io.edgekd.examples.source.FrameSource;
import io.edgekd.examples.source.SourceException;
import io.edgekd.examples.source.VideoFrame;
import io.edgekd.runtime.EdgeClassifier;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The demo's two threads. The grab thread reads frames from the {@link FrameSource} into a
 * {@link FrameExchange} (latest frame only for live inputs, every frame for files; restarts a file for
 * {@code --input-loop}). The calling thread takes each frame and, with nothing allocated of ours, passes its
 * direct buffer and row stride straight to {@link EdgeClassifier#classify}, draws the {@link Overlay} into the
 * same buffer, hands it to the {@link FrameOutput} and the {@link PredictionLog}, and adds the stage times.
 * It reports every few seconds and returns a {@link Result} at the end.
 *
 * <pre>{@code
 * try (FrameLoop loop = FrameLoop.builder(classifier, source).output(output).build()) {
 *     FrameLoop.Result r = loop.run();
 * }
 * }</pre>
 *
 * <p>Thread safety: {@link #run()} once, on one thread; {@link #stop()} from any thread (a signal handler)
 * makes it end after the frame in progress, finalising the output. Ownership: the loop closes the source, the
 * output and the log when {@code run} ends; the classifier stays the caller's.
 */
public final class FrameLoop implements AutoCloseable {
    private final EdgeClassifier classifier;
    private final FrameSource source;
    private final FrameOutput output;
    private final PredictionLog log;
    private final Overlay overlay;
    private final Classification top;
    private final FrameListener listener;
    private final int loops;
    private final long timeoutNanos;
    private final long reportNanos;
    private final PrintStream report;
    private final FrameExchange exchange;
    private final StageTimes times = new StageTimes();
    private volatile boolean stopRequested;
    private boolean ran;

    /**
     * How a run ended.
     *
     * @param code    the exit code
     * @param message one line for a person (null when it simply ended)
     * @param frames  frames classified
     * @param drops   frames the input delivered that were not classified (live inputs)
     * @param seconds from the first frame to the end
     * @param times   per-stage means
     * @param stopped whether {@link #stop()} or the window ended it
     */
    public record Result(ExitCode code, String message, long frames, long drops, double seconds, StageTimes times, boolean stopped) {
        /** @return frames per second end to end */
        public double fps() {
            return seconds > 0 ? frames / seconds : 0;
        }

        /** @return the summary line printed at exit */
        public String summary() {
            return String.format(Locale.ROOT, "%d frames in %.1f s: %.1f FPS end to end, %d dropped; per frame: %s", frames, seconds, fps(), drops,
                    times.describe());
        }
    }

    private FrameLoop(Builder b) {
        this.classifier = b.classifier;
        this.source = b.source;
        this.output = b.output;
        this.log = b.log;
        this.top = classifier.newResult(Math.min(b.topK, classifier.labels().size()));
        this.overlay = b.output != null ? new Overlay(classifier.labels(), top.capacity()) : null;
        this.listener = b.listener;
        this.loops = b.loops;
        this.timeoutNanos = b.timeoutNanos;
        this.reportNanos = b.reportNanos;
        this.report = b.report;
        int w = Math.max(1, source.width());
        int h = Math.max(1, source.height());
        // 64-byte aligned rows with 4 bytes per pixel cover what any source here delivers.
        this.exchange = new FrameExchange(((w * 4 + 63) & ~63) * h, source.isLive());
    }

    /**
     * @param classifier the model (stays open after the loop)
     * @param source     the opened input (the loop closes it)
     * @return a builder
     */
    public static Builder builder(EdgeClassifier classifier, FrameSource source) {
        return new Builder(classifier, source);
    }

    /** Asks the loop to end after the frame in progress. Safe from any thread, idempotent. */
    public void stop() {
        stopRequested = true;
        exchange.stop();
    }

    /** @return the result object the loop fills, for listeners that read it */
    public Classification result() {
        return top;
    }

    /**
     * Runs until the input ends, fails, times out, or {@link #stop()}.
     *
     * @return how it ended
     */
    public Result run() {
        if (ran) {
            throw new IllegalStateException("a FrameLoop runs once");
        }
        ran = true;
        Thread grab = new Thread(this::grabLoop, "edgekd-grab");
        grab.setDaemon(true);
        grab.start();
        ExitCode code = ExitCode.OK;
        String message = null;
        long frames = 0;
        long firstNanos = 0;
        long lastNanos = System.nanoTime();
        long lastFrameEnd = 0;
        double fps = 0;
        long nextReport = lastNanos + reportNanos;
        StageTimes reported = times.snapshot();
        long reportedDrops = 0;
        long reportedAt = lastNanos;
        long poll = Math.min(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(100));
        EdgeClassifier c = classifier;
        Classification t = top;
        try {
            while (!stopRequested) {
                if (output != null && output.stopRequested()) {
                    stopRequested = true;
                    break;
                }
                VideoFrame f = exchange.take(poll);
                long now = System.nanoTime();
                if (f == null) {
                    if (exchange.isStopped()) {
                        break;
                    }
                    if (exchange.isEnded()) {
                        SourceException e = exchange.failure();
                        if (e != null) {
                            code = frames == 0 ? ExitCode.INPUT_OPEN : ExitCode.INPUT_FAILED;
                            message = e.getMessage();
                        }
                        break;
                    }
                    if (now - lastNanos > timeoutNanos) {
                        code = frames == 0 ? ExitCode.INPUT_OPEN : ExitCode.INPUT_FAILED;
                        message = source.description() + ": no frame for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                                + " s (" + (frames == 0 ? "the input never delivered one" : "the input stalled") + ")";
                        break;
                    }
                    continue;
                }
                if (frames == 0) {
                    firstNanos = now;
                }
                lastNanos = now;
                long t0 = System.nanoTime();
                c.classify(f.pixels(), 0, f.width(), f.height(), f.stride(), f.format(), t);
                long t1 = System.nanoTime();
                if (lastFrameEnd != 0) {
                    double instant = 1e9 / Math.max(1, t1 - lastFrameEnd);
                    fps = fps == 0 ? instant : fps * 0.9 + instant * 0.1;
                }
                lastFrameEnd = t1;
                if (overlay != null) {
                    overlay.draw(f, t, (t1 - t0) / 1e6, fps);
                }
                long t2 = System.nanoTime();
                if (output != null) {
                    output.write(f);
                }
                if (log != null) {
                    log.write(f.index(), f.captureEpochMillis(), f.timestampMicros(), (t1 - t0) / 1e6, t);
                }
                long t3 = System.nanoTime();
                times.add(f.grabNanos(), t1 - t0, t2 - t1, t3 - t2);
                frames++;
                if (listener != null) {
                    listener.onFrame(f, t, t1 - t0);
                }
                if (t3 >= nextReport && report != null) {
                    StageTimes window = times.since(reported);
                    long drops = exchange.drops();
                    double secs = (t3 - reportedAt) / 1e9;
                    report.printf(Locale.ROOT, "[edgekd] %s  %.1f FPS  %d dropped  %s  (%s)%n", source.description(), window.frames() / secs,
                            drops - reportedDrops, window.describe(), top.label(0));
                    reported = times.snapshot();
                    reportedDrops = drops;
                    reportedAt = t3;
                    nextReport = t3 + reportNanos;
                    if (log != null) {
                        log.flush();
                    }
                }
            }
        } catch (OutputException e) {
            code = ExitCode.OUTPUT;
            message = e.getMessage();
        } catch (IOException e) {
            code = ExitCode.OUTPUT;
            message = "--log: writing failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.stop();
            joinGrab(grab);
            String closing = closeAll();
            if (closing != null && code == ExitCode.OK) {
                code = ExitCode.OUTPUT;
                message = closing;
            }
        }
        double seconds = frames == 0 ? 0 : (lastFrameEnd - firstNanos) / 1e9;
        return new Result(code, message, frames, exchange.drops(), seconds, times.snapshot(), stopRequested);
    }

    private void joinGrab(Thread grab) {
        try {
            grab.join(timeoutNanos / 1_000_000 + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void grabLoop() {
        int loopsLeft = loops;
        long readThisPass = 0;
        try {
            while (!exchange.isStopped()) {
                VideoFrame w = exchange.writable();
                if (!source.read(w)) {
                    if (!source.isLive() && loopsLeft != 0 && readThisPass > 0 && !exchange.isStopped()) {
                        if (loopsLeft > 0) {
                            loopsLeft--;
                        }
                        source.rewind();
                        readThisPass = 0;
                        continue;
                    }
                    exchange.finish(null);
                    return;
                }
                readThisPass++;
                if (!exchange.publish()) {
                    return;
                }
            }
        } catch (SourceException e) {
            exchange.finish(e);
        } catch (InterruptedException e) {
            exchange.finish(null);
        } catch (RuntimeException e) {
            if (!exchange.isStopped()) {
                exchange.finish(new SourceException(source.description() + ": " + e, e));
            }
        }
    }

    /** Closes output, log and source; returns the first failure's message, or null. */
    private String closeAll() {
        String failure = null;
        if (output != null) {
            try {
                output.close();
            } catch (OutputException e) {
                failure = e.getMessage();
            }
        }
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                failure = failure != null ? failure : "--log: " + e.getMessage();
            }
        }
        source.close();
        return failure;
    }

    /** Closes what the loop owns if {@link #run()} never ran; idempotent. */
    @Override
    public void close() {
        if (!ran) {
            ran = true;
            closeAll();
        }
    }

    /** Configures a {@link FrameLoop}. Not thread-safe. */
    public static final class Builder {
        private final EdgeClassifier classifier;
        private final FrameSource source;
        private FrameOutput output;
        private PredictionLog log;
        private FrameListener listener;
        private int topK = 3;
        private int loops;
        private long timeoutNanos = TimeUnit.SECONDS.toNanos(10);
        private long reportNanos = TimeUnit.SECONDS.toNanos(5);
        private PrintStream report;

        private Builder(EdgeClassifier classifier, FrameSource source) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            this.source = Objects.requireNonNull(source, "source");
        }

        /** @param o where drawn frames go, or null for none (headless) @return this */
        public Builder output(FrameOutput o) {
            this.output = o;
            return this;
        }

        /** @param l the JSON lines log, or null @return this */
        public Builder log(PredictionLog l) {
            this.log = l;
            return this;
        }

        /** @param l called after each frame, or null @return this */
        public Builder listener(FrameListener l) {
            this.listener = l;
            return this;
        }

        /** @param k classes shown and logged per frame @return this */
        public Builder top(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("--top: expected at least 1, found " + k);
            }
            this.topK = k;
            return this;
        }

        /** @param n {@code --input-loop}: -1 forever, 0 once, N more times @return this */
        public Builder loops(int n) {
            if (n < -1) {
                throw new IllegalArgumentException("--input-loop: expected -1, 0 or more, found " + n);
            }
            this.loops = n;
            return this;
        }

        /** @param seconds how long without a frame counts as a stalled input @return this */
        public Builder timeoutSeconds(double seconds) {
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("--input-timeout: expected seconds above 0, found " + seconds);
            }
            this.timeoutNanos = (long) (seconds * 1e9);
            return this;
        }

        /**
         * @param out     where the periodic report goes, or null for none
         * @param seconds how often
         * @return this
         */
        public Builder report(PrintStream out, double seconds) {
            this.report = out;
            this.reportNanos = (long) (seconds * 1e9);
            return this;
        }

        /** @return the loop */
        public FrameLoop build() {
            return new FrameLoop(this);
        }
    }
}
