package io.edgekd.examples.overlay;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.source.VideoFrame;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Draws the classification onto a frame, in place: a dark box at the top left holding the top classes
 * ({@code 97.3% Sneaker}, the best in green), and a status line ({@code 0.14 ms  58.2 FPS}) for the inference
 * time and the end-to-end frame rate, as jetson-inference's {@code imagenet} shows them.
 *
 * <p>Glyphs are rendered once with Java2D (antialiased, bold sans-serif sized to the frame's height) into alpha
 * masks, for printable ASCII and every character of the labels; {@link #draw} blends them straight into the
 * frame's buffer (any stride, BGR/RGB/BGRx/RGBx/gray) and allocates nothing. Characters without a glyph show as
 * {@code ?}.
 *
 * <p>Thread safety: not thread-safe; one overlay per frame loop.
 */
public final class Overlay {
    private static final int FIRST = 32;

    private final int k;
    private final TextLine[] lines;
    private final TextLine status = new TextLine(64);
    private int fontHeight = -1;
    private int ascent;
    private int pad;
    private char[] glyphChars = new char[0];
    private int[] advance;
    private int[] cellWidth;
    private byte[][] masks;
    private int cellHeight;
    private final String charset;

    /**
     * @param labels the model's labels (their characters get glyphs)
     * @param k      how many classes to show
     */
    public Overlay(List<String> labels, int k) {
        this.k = k;
        this.lines = new TextLine[k];
        for (int i = 0; i < k; i++) {
            lines[i] = new TextLine(96);
        }
        StringBuilder cs = new StringBuilder();
        for (char c = FIRST; c < 127; c++) {
            cs.append(c);
        }
        for (String l : labels) {
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (cs.indexOf(String.valueOf(c)) < 0) {
                    cs.append(c);
                }
            }
        }
        charset = cs.toString();
    }

    /** Renders the glyphs for a font height; runs again only when the frame height changes. */
    private void prepare(int frameHeight) {
        int size = Math.max(11, Math.min(56, frameHeight / 22));
        if (size == fontHeight) {
            return;
        }
        fontHeight = size;
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, size);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        pg.dispose();
        ascent = fm.getAscent();
        cellHeight = fm.getAscent() + fm.getDescent();
        pad = Math.max(3, size / 4);
        glyphChars = charset.toCharArray();
        int n = glyphChars.length;
        advance = new int[n];
        cellWidth = new int[n];
        masks = new byte[n][];
        for (int i = 0; i < n; i++) {
            char c = glyphChars[i];
            int adv = Math.max(1, fm.charWidth(c));
            int cw = adv + size / 4 + 2;
            BufferedImage img = new BufferedImage(cw, cellHeight, BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setFont(font);
            g.setColor(java.awt.Color.WHITE);
            g.drawString(String.valueOf(c), 1, ascent);
            g.dispose();
            byte[] m = new byte[cw * cellHeight];
            img.getRaster().getDataElements(0, 0, cw, cellHeight, m);
            advance[i] = adv;
            cellWidth[i] = cw;
            masks[i] = m;
        }
    }

    private int glyph(char c) {
        char[] gc = glyphChars;
        if (c >= FIRST && c < 127) {
            return c - FIRST;
        }
        for (int i = 95; i < gc.length; i++) {
            if (gc[i] == c) {
                return i;
            }
        }
        return '?' - FIRST;
    }

    /**
     * Draws the top classes, the inference time and the frame rate onto the frame.
     *
     * @param frame   the frame, changed in place
     * @param top     the frame's classification
     * @param inferMs preprocessing and inference time of this frame, ms
     * @param fps     end-to-end frames per second
     */
    public void draw(VideoFrame frame, Classification top, double inferMs, double fps) {
        prepare(frame.height());
        int shown = Math.min(k, top.size());
        for (int i = 0; i < shown; i++) {
            TextLine l = lines[i].clear();
            l.appendFixed(100.0 * top.probability(i), 1).append("% ").append(top.label(i));
        }
        status.clear().appendFixed(inferMs, 2).append(" ms  ").appendFixed(fps, 1).append(" FPS");
        int lineHeight = cellHeight + pad / 2;
        int boxWidth = width(status);
        for (int i = 0; i < shown; i++) {
            boxWidth = Math.max(boxWidth, width(lines[i]));
        }
        int boxHeight = (shown + 1) * lineHeight + pad;
        int x0 = pad;
        int y0 = pad;
        darken(frame, x0, y0, boxWidth + 2 * pad, boxHeight + pad);
        for (int i = 0; i < shown; i++) {
            if (i == 0) {
                text(frame, lines[i], x0 + pad, y0 + pad + i * lineHeight, 118, 230, 0);
            } else {
                text(frame, lines[i], x0 + pad, y0 + pad + i * lineHeight, 235, 235, 235);
            }
        }
        text(frame, status, x0 + pad, y0 + pad + shown * lineHeight, 255, 210, 60);
    }

    private int width(TextLine l) {
        int w = 0;
        char[] c = l.chars();
        for (int i = 0, n = l.length(); i < n; i++) {
            w += advance[glyph(c[i])];
        }
        return w;
    }

    /** Dims a rectangle to 35% so white text reads on any picture. */
    private static void darken(VideoFrame f, int x0, int y0, int w, int h) {
        ByteBuffer px = f.pixels();
        int bpp = f.format().bytesPerPixel();
        int x1 = Math.min(f.width(), x0 + w);
        int y1 = Math.min(f.height(), y0 + h);
        int stride = f.stride();
        for (int y = y0; y < y1; y++) {
            int row = y * stride;
            for (int x = x0; x < x1; x++) {
                int p = row + x * bpp;
                for (int c = 0; c < Math.min(bpp, 3); c++) {
                    int v = px.get(p + c) & 0xff;
                    px.put(p + c, (byte) ((v * 90) >> 8));
                }
            }
        }
    }

    private void text(VideoFrame f, TextLine line, int x, int y, int r, int g, int b) {
        char[] c = line.chars();
        int cx = x;
        for (int i = 0, n = line.length(); i < n; i++) {
            int gi = glyph(c[i]);
            blit(f, masks[gi], cellWidth[gi], cellHeight, cx, y, r, g, b);
            cx += advance[gi];
        }
    }

    private static void blit(VideoFrame f, byte[] mask, int mw, int mh, int x0, int y0, int r, int g, int b) {
        ByteBuffer px = f.pixels();
        PixelFormat fmt = f.format();
        int bpp = fmt.bytesPerPixel();
        int stride = f.stride();
        int fw = f.width();
        int fh = f.height();
        int ro = fmt.redOffset();
        int go = fmt.greenOffset();
        int bo = fmt.blueOffset();
        int gray = (r * 77 + g * 150 + b * 29) >> 8;
        for (int my = 0; my < mh; my++) {
            int y = y0 + my;
            if (y < 0 || y >= fh) {
                continue;
            }
            int row = y * stride;
            int mrow = my * mw;
            for (int mx = 0; mx < mw; mx++) {
                int a = mask[mrow + mx] & 0xff;
                int x = x0 + mx;
                if (a == 0 || x < 0 || x >= fw) {
                    continue;
                }
                int p = row + x * bpp;
                if (bpp == 1) {
                    blend(px, p, gray, a);
                } else {
                    blend(px, p + ro, r, a);
                    blend(px, p + go, g, a);
                    blend(px, p + bo, b, a);
                }
            }
        }
    }

    private static void blend(ByteBuffer px, int i, int color, int a) {
        int v = px.get(i) & 0xff;
        px.put(i, (byte) (v + ((color - v) * a + 127) / 255));
    }
}
