package io.edgekd.train.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training loss and validation accuracy and log loss against iterations: the numbers behind Jaiswal &amp;
 * Gajjar's Fig. 2, written as CSV and drawn by {@code io.edgekd.train.report.Charts}.
 *
 * <p>Thread safety: not thread-safe while being recorded.
 */
public final class LearningCurve {
    /** The CSV header. */
    public static final String CSV_HEADER = "iteration,epoch,train_loss,val_accuracy,val_log_loss,seconds";

    private final String name;
    private final List<CurvePoint> points = new ArrayList<>();

    /** @param name the run's name, e.g. {@code teacher} */
    public LearningCurve(String name) {
        this.name = name;
    }

    /** @return the run's name */
    public String name() {
        return name;
    }

    /** @param p a point, after the previous one */
    public void add(CurvePoint p) {
        points.add(p);
    }

    /** @return the points, oldest first */
    public List<CurvePoint> points() {
        return List.copyOf(points);
    }

    /**
     * @param accuracy a validation accuracy
     * @return the first iteration at which validation accuracy reached it, or -1 if it never did
     */
    public long iterationsToReach(double accuracy) {
        for (CurvePoint p : points) {
            if (p.validationAccuracy() >= accuracy) {
                return p.iteration();
            }
        }
        return -1;
    }

    /** @return CSV with {@link #CSV_HEADER} */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (CurvePoint p : points) {
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%.6f,%.6f,%.3f%n", p.iteration(), p.epoch(), p.trainLoss(),
                    p.validationAccuracy(), p.validationLogLoss(), p.seconds()));
        }
        return sb.toString();
    }

    /**
     * @param name the run's name
     * @param csv  text written by {@link #toCsv()}
     * @return the curve
     * @throws IllegalArgumentException if a line does not parse
     */
    public static LearningCurve fromCsv(String name, String csv) {
        LearningCurve c = new LearningCurve(name);
        for (String line : csv.strip().split("\n")) {
            if (line.isBlank() || line.startsWith("iteration")) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 6) {
                throw new IllegalArgumentException("learning curve: expected 6 comma-separated fields, found '" + line + "'");
            }
            c.add(new CurvePoint(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5])));
        }
        return c;
    }
}
