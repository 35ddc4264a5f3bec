package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --log FILE}: one JSON object per classified frame, one per line:
 *
 * <pre>
 * {"frame":42,"time_ms":1764573600123,"pts_ms":1400.000,"infer_ms":0.142,"top":[{"label":"Sneaker","p":0.973121},...]}
 * </pre>
 *
 * {@code frame} counts every frame the input delivered (so gaps are dropped frames), {@code time_ms} is the
 * wall clock when it was grabbed, {@code pts_ms} its stream time. Labels are JSON-escaped once; each line is
 * built in a byte array and written through a buffer, so logging allocates nothing per frame. The file is
 * written as the run goes (so {@code tail -f} works), not moved into place at the end.
 *
 * <p>Thread safety: one thread. Ownership: owns the file; close it.
 */
public final class PredictionLog implements AutoCloseable {
    private final OutputStream out;
    private final byte[][] labels;
    private final byte[] line = new byte[64 * 1024];
    private int n;
    private boolean closed;

    /**
     * @param file   the file (replaced)
     * @param labels the model's labels
     * @throws IOException if it cannot be created
     */
    public PredictionLog(Path file, List<String> labels) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.labels = new byte[labels.size()][];
        for (int i = 0; i < labels.size(); i++) {
            this.labels[i] = jsonString(labels.get(i)).getBytes(StandardCharsets.UTF_8);
        }
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * @param frame       frame index
     * @param epochMillis wall clock of the grab
     * @param ptsMicros   stream time
     * @param inferMs     preprocessing and inference time
     * @param top         the frame's classification
     * @throws IOException if writing fails
     */
    public void write(long frame, long epochMillis, long ptsMicros, double inferMs, Classification top) throws IOException {
        n = 0;
        ascii("{\"frame\":");
        number(frame);
        ascii(",\"time_ms\":");
        number(epochMillis);
        ascii(",\"pts_ms\":");
        fixed(ptsMicros / 1000.0, 3);
        ascii(",\"infer_ms\":");
        fixed(inferMs, 3);
        ascii(",\"top\":[");
        for (int i = 0; i < top.size(); i++) {
            ascii(i == 0 ? "{\"label\":" : ",{\"label\":");
            byte[] l = labels[top.index(i)];
            if (n + l.length + 64 < line.length) {
                System.arraycopy(l, 0, line, n, l.length);
                n += l.length;
            }
            ascii(",\"p\":");
            fixed(top.probability(i), 6);
            line[n++] = '}';
        }
        ascii("]}\n");
        out.write(line, 0, n);
    }

    private void ascii(String s) {
        for (int i = 0, len = s.length(); i < len && n < line.length; i++) {
            line[n++] = (byte) s.charAt(i);
        }
    }

    private void number(long v) {
        if (v < 0) {
            line[n++] = '-';
            v = -v;
        }
        long div = 1;
        while (v / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            line[n++] = (byte) ('0' + (v / div) % 10);
        }
    }

    private void fixed(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            ascii("null");
            return;
        }
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long r = Math.round(Math.abs(v) * scale);
        if (v < 0 && r != 0) {
            line[n++] = '-';
        }
        number(r / scale);
        line[n++] = '.';
        long frac = r % scale;
        for (long d = scale / 10; d > 0; d /= 10) {
            line[n++] = (byte) ('0' + (frac / d) % 10);
        }
    }

    /** Pushes buffered lines to the file. @throws IOException if writing fails */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        out.close();
    }
}
