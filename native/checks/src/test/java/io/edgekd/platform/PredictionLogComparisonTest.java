package io.edgekd.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictionLogComparisonTest {
    @TempDir
    Path dir;

    /** A line as the camera demo's PredictionLog writes it; {@code top} alternates label and probability. */
    private static String line(long frame, Object... top) {
        StringBuilder s = new StringBuilder("{\"frame\":" + frame + ",\"time_ms\":1764573600123,\"pts_ms\":" + frame * 33.333
                + ",\"infer_ms\":0.142,\"top\":[");
        for (int i = 0; i < top.length; i += 2) {
            s.append(i == 0 ? "" : ",").append("{\"label\":\"").append(top[i]).append("\",\"p\":").append(top[i + 1]).append('}');
        }
        return s.append("]}").toString();
    }

    private Path log(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return PredictionLogComparison.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void agreesWithinToleranceMatchingLabelsByName() throws IOException {
        Path a = log("a.jsonl", line(0, "Bag", "0.900000", "T-shirt/\\\"top\\\"", "0.070000", "Coat", "0.030000"),
                line(1, "Coat", "0.500000", "Bag", "0.300000", "T-shirt/\\\"top\\\"", "0.200000"));
        // The same top-1, the others in another order (a near-tie), 3e-6 apart.
        Path b = log("b.jsonl", line(0, "Bag", "0.899997", "T-shirt/\\\"top\\\"", "0.070002", "Coat", "0.030001"),
                line(1, "Coat", "0.500000", "T-shirt/\\\"top\\\"", "0.300000", "Bag", "0.200000"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(out, err, a.toString(), b.toString(), "1e-5"), err.toString(StandardCharsets.UTF_8));
        // Frame 1: Bag 0.3 against 0.2 is a real difference although top-1 agrees.
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("2 frames x 3 classes, max |dp| 1.00e-01 (frame 1, Bag), top-1 identical: FAILED"),
                err.toString(StandardCharsets.UTF_8));

        Path c = log("c.jsonl", line(0, "Bag", "0.899997", "T-shirt/\\\"top\\\"", "0.070002", "Coat", "0.030001"),
                line(1, "Coat", "0.500000", "Bag", "0.300000", "T-shirt/\\\"top\\\"", "0.200000"));
        out.reset();
        assertEquals(0, run(out, err, a.toString(), c.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith(c + " vs " + a
                + ": 2 frames x 3 classes, max |dp| 3.00e-06 (frame 0, Bag), top-1 identical: OK (tolerance 1e-05)"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDifferentTopOneFailsWhateverTheTolerance() throws IOException {
        Path a = log("a.jsonl", line(0, "Bag", "0.500001", "Coat", "0.499999"));
        Path b = log("b.jsonl", line(0, "Coat", "0.500001", "Bag", "0.499999"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(new ByteArrayOutputStream(), err, a.toString(), b.toString(), "0.1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("top-1 differs on 1 frames, first [0]: FAILED"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void logsThatCannotBeComparedAreRefused() throws IOException {
        Path a = log("a.jsonl", line(0, "Bag", "0.9", "Coat", "0.1"), line(1, "Bag", "0.9", "Coat", "0.1"));
        Path dropped = log("d.jsonl", line(0, "Bag", "0.9", "Coat", "0.1"), line(2, "Bag", "0.9", "Coat", "0.1"));
        Path shorter = log("s.jsonl", line(0, "Bag", "0.9", "Coat", "0.1"));
        Path top1 = log("t.jsonl", line(0, "Bag", "0.9"), line(1, "Bag", "0.9"));
        Path empty = log("e.jsonl", "");
        String[][] cases = {
                {dropped.toString(), "found frame 1 and frame 2 on line 2 (dropped frames?)"},
                {shorter.toString(), "found 2 and 1 lines"},
                {top1.toString(), "line 1 (frame 0): expected every class [Bag, Coat] (run the demo with --top 2), found [Bag]"},
                {empty.toString(), "expected one JSON line per frame, found none"},
                {dir.resolve("none.jsonl").toString(), "none.jsonl"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(2, run(new ByteArrayOutputStream(), err, a.toString(), c[0]), c[0]);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(c[1]), err.toString(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(new ByteArrayOutputStream(), err, a.toString()));
        assertEquals(2, run(new ByteArrayOutputStream(), err, a.toString(), a.toString(), "tiny"));
    }
}
