package io.edgekd.train.cli;

import io.edgekd.core.spec.ModelRole;
import io.edgekd.train.model.TrainedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end on synthetic data: teacher, distilled student with transfer, evaluation, export. */
class CommandLineTest {
    @TempDir
    Path dir;

    private String run(int expectedStatus, String... args) {
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
    void teacherStudentEvaluateExport() throws Exception {
        String data = "synthetic:3:16:1:120";
        Path teacher = dir.resolve("teacher.zip");
        String t = run(0, "teacher", "--data", data, "--epochs", "3", "--batch", "32", "--stem", "8", "--width", "0.25", "--lr", "0.005",
                "--quiet", "--out", teacher.toString(), "--report", dir.resolve("report").toString());
        assertTrue(t.contains("teacher on synthetic") && t.contains("test accuracy") && t.contains("saved " + teacher), t);
        assertTrue(Files.isRegularFile(dir.resolve("report/teacher-curve.png")));
        assertTrue(Files.isRegularFile(dir.resolve("report/confusion-teacher.png")));
        assertTrue(Files.readString(dir.resolve("report/teacher-curve.csv")).startsWith("iteration,epoch,train_loss"));

        Path student = dir.resolve("student.zip");
        String s = run(0, "student", "--data", data, "--teacher", teacher.toString(), "--transfer", "--stem", "8", "--width-multiplier", "0.25",
                "--epochs", "2", "--batch", "32", "--quiet", "--out", student.toString());
        assertTrue(s.contains("transferred from the teacher: stem_conv, stem_bn"), s);
        TrainedModel m = TrainedModel.load(student);
        assertEquals(ModelRole.STUDENT, m.spec().role());
        assertEquals("4.0", m.spec().provenance().get("kd.temperature"));

        String e = run(0, "evaluate", "--data", data, "--model", student.toString(), "--quiet");
        assertTrue(e.contains("accuracy") && e.contains("precision"), e);

        Path onnx = dir.resolve("student.onnx");
        String x = run(0, "export", "--model", student.toString(), "--out", onnx.toString());
        assertTrue(Files.size(onnx) > 1000, x);
    }

    /** picocli formats descriptions as format strings: a lone '%' (a "95% interval") garbles the help and prints warnings. */
    @Test
    void everyCommandsHelpRendersCleanly() {
        String top = run(0, "--help");
        for (Class<?> type : EdgekdTrain.class.getAnnotation(picocli.CommandLine.Command.class).subcommands()) {
            String command = type.getAnnotation(picocli.CommandLine.Command.class).name();
            if (command.equals("help")) {
                continue;
            }
            String help = run(0, command, "--help");
            assertTrue(help.contains("Usage:") && !help.contains("WARN") && !help.contains("Could not format"), command + ":\n" + help);
        }
        assertTrue(top.contains("quickstart") && !top.contains("WARN"), top);
    }

    @Test
    void badInputExitsWithAClearLine() {
        String missing = run(2, "evaluate", "--data", "sample", "--model", dir.resolve("nope.zip").toString());
        assertTrue(missing.contains("nope.zip") && missing.contains("found nothing"), missing);
        String noData = run(2, "teacher", "--data", dir.resolve("nowhere").toString(), "--out", dir.resolve("t.zip").toString());
        assertTrue(noData.contains("found nothing at that path"), noData);
        String noDir = run(2, "teacher", "--data", "synthetic:3:16:1:10", "--out", dir.resolve("missing/t.zip").toString());
        assertTrue(noDir.contains("expected an existing folder"), noDir);
        String transferAlone = run(2, "student", "--data", "synthetic:3:16:1:10", "--transfer", "--out", dir.resolve("s.zip").toString());
        assertTrue(transferAlone.contains("--transfer: expected a --teacher"), transferAlone);
        run(2, "teacher", "--no-such-option");
    }
}
