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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbabilityComparisonTest {
    @TempDir
    Path dir;

    private Path dump(String name, String model, String... rows) throws IOException {
        StringBuilder s = new StringBuilder("# model " + model + "\n# arch test\n# cpu native\n# classes 3\n# images " + rows.length + "\n");
        for (String r : rows) {
            s.append(r).append('\n');
        }
        return Files.writeString(dir.resolve(name), s.toString());
    }

    @Test
    void agreesWithinToleranceAndReportsTheWorstValue() throws IOException {
        Path a = dump("a.txt", "m", "0 1 1 0.1 0.8 0.1", "1 0 0 0.7 0.2 0.1");
        Path b = dump("b.txt", "m", "0 1 1 0.1 0.800002 0.099998", "1 0 0 0.7 0.2 0.1");
        ProbabilityComparison.Result r = ProbabilityComparison.compare(ProbabilityComparison.read(a), ProbabilityComparison.read(b), 1e-5);
        assertTrue(r.passed(), r.summary());
        assertEquals(0, r.worstImage());
        // 0.8 and 0.800002 as floats: 2e-6 within float rounding (ULP near 0.8 is 6e-8)
        assertEquals(2e-6, r.maxDifference(), 1e-7);
    }

    @Test
    void failsAboveToleranceOrOnAnotherTop1() throws IOException {
        Path a = dump("a.txt", "m", "0 1 1 0.1 0.8 0.1", "1 0 0 0.5 0.49999 0.00001");
        Path far = dump("far.txt", "m", "0 1 1 0.1 0.79 0.11", "1 0 0 0.5 0.49999 0.00001");
        Path flipped = dump("flip.txt", "m", "0 1 1 0.1 0.8 0.1", "1 0 1 0.499999 0.5 0.00001");
        ProbabilityComparison.Result r1 = ProbabilityComparison.compare(ProbabilityComparison.read(a), ProbabilityComparison.read(far), 1e-5);
        assertFalse(r1.passed());
        assertTrue(r1.top1Differences().isEmpty());
        ProbabilityComparison.Result r2 = ProbabilityComparison.compare(ProbabilityComparison.read(a), ProbabilityComparison.read(flipped), 1e-5);
        assertFalse(r2.passed(), "a different top-1 fails even when every probability is within the tolerance");
        assertEquals(java.util.List.of(1), r2.top1Differences());
    }

    @Test
    void nanIsNeverWithinTolerance() throws IOException {
        Path a = dump("a.txt", "m", "0 1 1 0.1 0.8 0.1");
        Path b = dump("b.txt", "m", "0 1 1 0.1 NaN 0.1");
        assertFalse(ProbabilityComparison.compare(ProbabilityComparison.read(a), ProbabilityComparison.read(b), 1e-5).passed());
    }

    @Test
    void refusesDumpsOfDifferentModelsOrTruncatedDumps() throws IOException {
        Path a = dump("a.txt", "m1", "0 1 1 0.1 0.8 0.1");
        Path b = dump("b.txt", "m2", "0 1 1 0.1 0.8 0.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProbabilityComparison.compare(ProbabilityComparison.read(a), ProbabilityComparison.read(b), 1e-5));
        assertTrue(e.getMessage().contains("same model"), e.getMessage());
        Path cut = Files.writeString(dir.resolve("cut.txt"), "# model m\n# classes 3\n# images 2\n0 1 1 0.1 0.8 0.1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProbabilityComparison.read(cut)).getMessage()
                .contains("expected 2 image lines, found 1"));
    }

    @Test
    void commandLineExitStatus() throws IOException {
        Path a = dump("a.txt", "m", "0 1 1 0.1 0.8 0.1");
        Path b = dump("b.txt", "m", "0 1 1 0.1 0.7 0.2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, ProbabilityComparison.run(o, e, a.toString(), a.toString()));
        assertEquals(1, ProbabilityComparison.run(o, e, a.toString(), b.toString(), "1e-5"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("FAILED"));
        assertEquals(2, ProbabilityComparison.run(o, e, a.toString()));
        assertEquals(2, ProbabilityComparison.run(o, e, a.toString(), b.toString(), "small"));
    }
}
