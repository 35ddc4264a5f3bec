package io.edgekd.train.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    @Test
    void logModePrintsATenthAtATime() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = ProgressBar.to(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        bar.start("teacher epoch 1/2", 100);
        for (int i = 1; i <= 100; i++) {
            bar.update(i, "loss 0.5");
        }
        bar.finish();
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(10, lines.length);
        assertTrue(lines[9].contains("[####################] 100/100") && lines[9].contains("loss 0.5") && lines[9].contains("ETA 0:00"), lines[9]);
        assertTrue(lines[0].contains(" 10/100"), lines[0]);
    }

    @Test
    void interactiveModeRedrawsInPlace() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = ProgressBar.to(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        bar.start("x", 3);
        bar.update(1, "");
        bar.finish();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r") && out.endsWith("\n") && out.contains("3/3"), out);
    }

    @Test
    void quietPrintsNothingAndClocksFormat() {
        ProgressBar q = ProgressBar.quiet();
        q.start("x", 10);
        q.update(5, "");
        q.finish();
        assertEquals("0:07", ProgressBar.clock(7.4));
        assertEquals("2:05", ProgressBar.clock(125));
        assertEquals("1:00:01", ProgressBar.clock(3601));
    }
}
