package io.edgekd.train.report;

import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.metrics.ConfusionMatrix;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PNG pictures of training and evaluation: learning curves (validation accuracy, and training and validation
 * loss, against iterations, several runs on one picture like Jaiswal &amp; Gajjar's Fig. 2), confusion matrices,
 * and bar charts of benchmark numbers. Rendered headless; each file is written atomically.
 *
 * <p>Thread safety: stateless.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Charts() {
    }

    /**
     * Several runs of one arm (the same recipe with different seeds): drawn in one colour, thin, under one legend entry,
     * so the spread between seeds is visible.
     *
     * @param name the arm's name, e.g. {@code student alone}
     * @param runs one curve per seed
     */
    public record CurveGroup(String name, List<LearningCurve> runs) {
        /** Copies the list. */
        public CurveGroup {
            runs = List.copyOf(runs);
        }
    }

    /**
     * @param title  picture title
     * @param curves runs to draw, each its own colour and legend entry
     * @param file   destination PNG
     * @throws IOException if the file cannot be written
     */
    public static void learningCurves(String title, List<LearningCurve> curves, Path file) throws IOException {
        List<CurveGroup> groups = new ArrayList<>();
        for (LearningCurve c : curves) {
            groups.add(new CurveGroup(c.name(), List.of(c)));
        }
        learningCurveGroups(title, groups, file);
    }

    /**
     * Two panels side by side: validation accuracy, and loss (validation log loss solid with a marker per validation,
     * training loss dashed), against iterations.
     *
     * @param title  picture title
     * @param groups arms to draw; every run of an arm in the arm's colour
     * @param file   destination PNG
     * @throws IOException if the file cannot be written
     */
    public static void learningCurveGroups(String title, List<CurveGroup> groups, Path file) throws IOException {
        XYChart[] charts = learningCurveCharts(title, groups);
        BufferedImage left = BitmapEncoder.getBufferedImage(charts[0]);
        BufferedImage right = BitmapEncoder.getBufferedImage(charts[1]);
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(), Math.max(left.getHeight(), right.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, both.getWidth(), both.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        write(both, file);
    }

    /**
     * The two charts behind {@link #learningCurveGroups}. The loss axis is linear and ends a little above the largest
     * validation loss: a distillation run's training loss (its soft term is scaled by T²) may start far above
     * cross-entropy, and letting it set the scale would flatten every other curve, so its first points run off the top.
     */
    static XYChart[] learningCurveCharts(String title, List<CurveGroup> groups) {
        XYChart acc = new XYChartBuilder().width(640).height(440).title(title + ": validation accuracy").xAxisTitle("iterations")
                .yAxisTitle("accuracy").build();
        XYChart loss = new XYChartBuilder().width(640).height(440).title(title + ": loss (solid validation, dashed training)")
                .xAxisTitle("iterations").yAxisTitle("loss").build();
        // Accuracy rises and loss falls: each legend goes where its curves end up not being.
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (XYChart c : new XYChart[] {acc, loss}) {
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setMarkerSize(4);
            c.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
            c.getStyler().setDecimalPattern("#,##0.###");
        }
        double maxValidationLoss = 0;
        int i = 0;
        for (CurveGroup group : groups) {
            Color colour = PALETTE[i++ % PALETTE.length];
            boolean several = group.runs().size() > 1;
            int r = 0;
            for (LearningCurve curve : group.runs()) {
                List<CurvePoint> pts = curve.points();
                if (pts.isEmpty()) {
                    continue;
                }
                double[] x = new double[pts.size()];
                double[] a = new double[pts.size()];
                double[] vl = new double[pts.size()];
                List<Double> tx = new ArrayList<>();
                List<Double> tl = new ArrayList<>();
                for (int k = 0; k < pts.size(); k++) {
                    CurvePoint p = pts.get(k);
                    x[k] = p.iteration();
                    a[k] = p.validationAccuracy();
                    vl[k] = p.validationLogLoss();
                    if (Double.isFinite(p.validationLogLoss())) {
                        maxValidationLoss = Math.max(maxValidationLoss, p.validationLogLoss());
                    }
                    if (Double.isFinite(p.trainLoss())) {
                        tx.add((double) p.iteration());
                        tl.add(p.trainLoss());
                    }
                }
                String label = r == 0 ? group.name() + (several ? " (" + group.runs().size() + " seeds)" : "") : group.name() + " #" + (r + 1);
                BasicStroke line = new BasicStroke(several ? 1.2f : 2f);
                XYSeries sa = acc.addSeries(label, x, a);
                style(sa, colour, line, r == 0);
                XYSeries sv = loss.addSeries(label + " validation", x, vl);
                style(sv, colour, line, r == 0);
                if (!tx.isEmpty()) {
                    XYSeries st = loss.addSeries(label + " training", tx, tl);
                    st.setLineColor(colour);
                    st.setMarker(SeriesMarkers.NONE);
                    st.setShowInLegend(r == 0);
                    st.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                }
                r++;
            }
        }
        if (maxValidationLoss > 0) {
            loss.getStyler().setYAxisMin(0.0);
            loss.getStyler().setYAxisMax(1.3 * maxValidationLoss);
        }
        return new XYChart[] {acc, loss};
    }

    private static void style(XYSeries s, Color colour, BasicStroke line, boolean inLegend) {
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(line);
        s.setShowInLegend(inLegend);
    }

    /**
     * @param title  picture title
     * @param matrix counts, rows actual and columns predicted
     * @param file   destination PNG
     * @throws IOException if the file cannot be written
     */
    public static void confusionMatrix(String title, ConfusionMatrix matrix, Path file) throws IOException {
        int n = matrix.numClasses();
        int cell = Math.max(36, Math.min(64, 640 / n));
        int labelWidth = 150;
        int top = 70;
        int width = labelWidth + n * cell + 70;
        int height = top + n * cell + 150;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(String.format(Locale.ROOT, "accuracy %.4f over %d examples; rows: actual, columns: predicted", matrix.accuracy(),
                matrix.total()), 10, 42);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, cell >= 48 ? 12 : 10);
        for (int a = 0; a < n; a++) {
            long support = Math.max(1, matrix.support(a));
            for (int p = 0; p < n; p++) {
                double share = matrix.count(a, p) / (double) support;
                int shade = (int) Math.round(255 * (1 - share));
                Color fill = a == p ? new Color(shade, 255 - (int) ((255 - shade) * 0.3), shade)
                        : new Color(255, shade, shade);
                int x = labelWidth + p * cell;
                int y = top + a * cell;
                g.setColor(fill);
                g.fillRect(x, y, cell, cell);
                g.setColor(new Color(0xcccccc));
                g.drawRect(x, y, cell, cell);
                g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                g.setFont(cellFont);
                String text = Long.toString(matrix.count(a, p));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(text, x + (cell - fm.stringWidth(text)) / 2, y + (cell + fm.getAscent()) / 2 - 2);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            String label = shorten(matrix.labels().get(a), 20);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(label, labelWidth - fm.stringWidth(label) - 6, top + a * cell + (cell + fm.getAscent()) / 2 - 2);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int p = 0; p < n; p++) {
            Graphics2D r = (Graphics2D) rotated.create();
            r.translate(labelWidth + p * cell + cell / 2 + 4, top + n * cell + 6);
            r.rotate(Math.PI / 3);
            r.setColor(Color.BLACK);
            r.drawString(shorten(matrix.labels().get(p), 20), 0, 0);
            r.dispose();
        }
        rotated.dispose();
        g.dispose();
        write(img, file);
    }

    /**
     * @param title  picture title
     * @param yTitle y-axis title (with unit)
     * @param values category to value, in display order
     * @param file   destination PNG
     * @throws IOException if the file cannot be written
     */
    public static void bars(String title, String yTitle, Map<String, Double> values, Path file) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
        chart.addSeries(yTitle, new ArrayList<>(values.keySet()), new ArrayList<>(values.values())).setFillColor(PALETTE[0]);
        write(BitmapEncoder.getBufferedImage(chart), file);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        AtomicFiles.write(abs, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
