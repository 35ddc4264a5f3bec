package io.edgekd.train.cli;

import io.edgekd.train.model.Provenance;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.training.TrainingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code teacher --workers 2} and {@code student --spark-master local[2]} end to end on the shipped sample (30
 * images a class, one epoch: it proves the wiring, not accuracy), and the flags' argument errors. Spark's own
 * context is started by the command, so this class must not share a JVM moment with another running one.
 */
class SparkCommandLineTest {
    @TempDir
    Path dir;

    private static String run(int expectedStatus, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        int status;
        try {
            status = EdgekdTrain.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedStatus, status, text);
        return text;
    }

    @Test
    void teacherOnTwoWorkersThenStudentOnSpark() throws Exception {
        Path teacher = dir.resolve("teacher.zip");
        Path checkpoints = dir.resolve("teacher-runs");
        String t = run(0, "teacher", "--data", "sample", "--per-class", "30", "--workers", "2", "--epochs", "1", "--batch", "16", "--stem", "8",
                "--width", "0.25", "--quiet", "--checkpoints", checkpoints.toString(), "--out", teacher.toString());
        assertTrue(t.contains("saved " + teacher), t);
        assertTrue(Files.isRegularFile(checkpoints.resolve(TrainingLoop.LAST_CHECKPOINT)));
        assertEquals("ParallelWrapper 2 workers, averaging every 1, prefetch 2",
                TrainedModel.load(teacher).spec().provenance().get(Provenance.TRAIN_FITTER));

        Path student = dir.resolve("student.zip");
        String s = run(0, "student", "--data", "sample", "--per-class", "30", "--teacher", teacher.toString(), "--spark-master", "local[2]",
                "--epochs", "1", "--batch", "16", "--stem", "8", "--width-multiplier", "0.25", "--quiet", "--out", student.toString());
        assertTrue(s.contains("saved " + student), s);
        TrainedModel m = TrainedModel.load(student);
        assertEquals("Spark local[2], 2 workers, parameter averaging every 1, prefetch 2", m.spec().provenance().get(Provenance.TRAIN_FITTER));
        assertEquals("4.0", m.spec().provenance().get(Provenance.KD_TEMPERATURE));
    }

    @Test
    void contradictoryFlagsExitWithAClearLine() {
        String both = run(2, "student", "--data", "synthetic:3:16:1:10", "--workers", "2", "--spark-master", "local[2]",
                "--out", dir.resolve("s.zip").toString());
        assertTrue(both.contains("--workers and --spark-master: expected one of them, found both"), both);
        String zero = run(2, "teacher", "--data", "synthetic:3:16:1:10", "--workers", "0", "--out", dir.resolve("t.zip").toString());
        assertTrue(zero.contains("--workers: expected at least 1, found 0"), zero);
        String export = run(2, "teacher", "--data", "synthetic:3:16:1:10", "--spark-export-dir", "/tmp/x", "--out", dir.resolve("t.zip").toString());
        assertTrue(export.contains("--spark-export-dir: expected --spark-master as well"), export);
    }
}
