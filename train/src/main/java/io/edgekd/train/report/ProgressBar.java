package io.edgekd.train.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A console progress bar for work that runs for minutes: done/total, rate, a free-form status (the loss, say)
 * and the time left.
 *
 * <pre>
 *   teacher  epoch 2/5 [##########----------]  117/235  41.3 it/s  loss 0.4123  ETA 0:03
 * </pre>
 *
 * On a terminal the line redraws in place at most ten times a second; when output goes to a file or a CI log
 * it prints a plain line every tenth of the way instead. {@link #quiet()} prints nothing.
 *
 * <p>Thread safety: not thread-safe; one bar per task, updated from one thread.
 */
public final class ProgressBar {
    private static final int WIDTH = 20;

    private final PrintStream out;
    private final boolean enabled;
    private final boolean interactive;
    private String label = "";
    private long total;
    private long done;
    private long startNanos;
    private long lastDrawNanos;
    private int lastDecile;
    private String status = "";
    private int lastLength;

    private ProgressBar(PrintStream out, boolean enabled, boolean interactive) {
        this.out = out;
        this.enabled = enabled;
        this.interactive = interactive;
    }

    /** @return a bar on standard error, redrawing in place when a terminal is attached */
    public static ProgressBar console() {
        return new ProgressBar(System.err, true, System.console() != null);
    }

    /**
     * @param out         where to print
     * @param interactive redraw in place (true) or print a line per tenth (false)
     * @return a bar
     */
    public static ProgressBar to(PrintStream out, boolean interactive) {
        return new ProgressBar(out, true, interactive);
    }

    /** @return a bar that prints nothing */
    public static ProgressBar quiet() {
        return new ProgressBar(System.err, false, false);
    }

    /**
     * Starts a new task.
     *
     * @param label what is running
     * @param total units of work
     */
    public void start(String label, long total) {
        this.label = label;
        this.total = Math.max(1, total);
        this.done = 0;
        this.status = "";
        this.startNanos = System.nanoTime();
        this.lastDrawNanos = 0;
        this.lastDecile = 0;
        this.lastLength = 0;
    }

    /**
     * @param done   units finished
     * @param status short free-form status, e.g. {@code "loss 0.41"}
     */
    public void update(long done, String status) {
        this.done = Math.min(done, total);
        this.status = status == null ? "" : status;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (interactive) {
            if (now - lastDrawNanos >= 100_000_000L || this.done == total) {
                lastDrawNanos = now;
                String line = line(now);
                StringBuilder sb = new StringBuilder("\r").append(line);
                for (int i = line.length(); i < lastLength; i++) {
                    sb.append(' ');
                }
                lastLength = line.length();
                out.print(sb);
                out.flush();
            }
        } else {
            int decile = (int) (10 * this.done / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                out.println(line(now));
            }
        }
    }

    /** Ends the task: the last line stays on screen. */
    public void finish() {
        if (!enabled) {
            return;
        }
        if (interactive) {
            update(total, status);
            out.println();
        } else if (lastDecile < 10) {
            out.println(line(System.nanoTime()));
        }
        out.flush();
    }

    private String line(long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        int filled = (int) (WIDTH * done / total);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '#' : '-');
        }
        String eta = rate > 0 ? clock((total - done) / rate) : "?";
        int digits = Long.toString(total).length();
        return String.format(Locale.ROOT, "%s [%s] %" + digits + "d/%d %7.1f it/s %s ETA %s", label, bar, done, total, rate,
                status, eta);
    }

    /**
     * @param seconds a duration
     * @return {@code m:ss} or {@code h:mm:ss}
     */
    public static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
