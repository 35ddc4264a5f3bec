package io.edgekd.examples.report;

import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.metrics.ConfusionMatrix;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Draws a confusion matrix as a PNG: one row per true class, one column per predicted class, each cell shaded by
 * the share of its row (recall on the diagonal) and labelled with its count; the title carries the accuracy.
 * Plain java.awt, headless-safe; written through {@link AtomicFiles} so no half picture is left behind.
 *
 * <p>Thread safety: stateless.
 */
public final class ConfusionChart {
    private ConfusionChart() {
    }

    /**
     * @param matrix the counts
     * @param title  the heading (the accuracy is appended)
     * @param file   the PNG to write
     * @throws IOException if it cannot be written
     */
    public static void write(ConfusionMatrix matrix, String title, Path file) throws IOException {
        BufferedImage img = draw(matrix, title);
        AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }

    /**
     * @param matrix the counts
     * @param title  the heading
     * @return the picture
     */
    public static BufferedImage draw(ConfusionMatrix matrix, String title) {
        int n = matrix.numClasses();
        int cell = n <= 10 ? 56 : Math.max(24, 560 / n);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, cell / 4));
        Font bold = font.deriveFont(Font.BOLD, font.getSize() + 4f);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int labelW = 0;
        for (String l : matrix.labels()) {
            labelW = Math.max(labelW, fm.stringWidth(l));
        }
        pg.dispose();
        int left = labelW + 40;
        int top = 60 + labelW;
        int w = left + n * cell + 30;
        int h = top + n * cell + 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(bold);
        g.drawString(String.format(Locale.ROOT, "%s — accuracy %.2f%% (%d images)", title, 100 * matrix.accuracy(), matrix.total()), 12, 28);
        g.setFont(font);
        for (int a = 0; a < n; a++) {
            long support = matrix.support(a);
            for (int p = 0; p < n; p++) {
                long c = matrix.count(a, p);
                double share = support == 0 ? 0 : c / (double) support;
                int shade = (int) Math.round(255 - share * 200);
                g.setColor(a == p ? new Color(shade, shade, 255) : new Color(255, shade, shade));
                int x = left + p * cell;
                int y = top + a * cell;
                g.fillRect(x, y, cell, cell);
                g.setColor(new Color(220, 220, 220));
                g.setStroke(new BasicStroke(1));
                g.drawRect(x, y, cell, cell);
                if (c > 0) {
                    g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                    String s = Long.toString(c);
                    g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, y + (cell + fm.getAscent()) / 2 - 2);
                }
            }
            g.setColor(Color.BLACK);
            String l = matrix.labels().get(a);
            g.drawString(l, left - 8 - fm.stringWidth(l), top + a * cell + (cell + fm.getAscent()) / 2 - 2);
        }
        AffineTransform saved = g.getTransform();
        for (int p = 0; p < n; p++) {
            g.setTransform(saved);
            g.translate(left + p * cell + (cell + fm.getAscent()) / 2 - 2, top - 8);
            g.rotate(-Math.PI / 2);
            g.drawString(matrix.labels().get(p), 0, 0);
        }
        g.setTransform(saved);
        g.drawString("predicted →", left, h - 18);
        g.drawString("true ↓", 12, top - 8);
        g.dispose();
        return img;
    }
}
