package io.edgekd.train.experiment;

import io.edgekd.train.cli.EdgekdTrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reproduction in its reduced setting ({@code --fast}) on the shipped sample, for a chosen set of tasks. */
class ReproduceTest {
    @TempDir
    Path dir;

    /** Two invocations at once into one folder (as two processes would be): both finish, with the whole report. */
    @Test
    void runsOnlyTheChosenTasksAndTwoInvocationsShareTheFolder() throws Exception {
        Path out = dir.resolve("repro");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                both.add(pool.submit(() -> EdgekdTrain.run("reproduce", "--fast", "--quiet", "--data", "sample", "--seeds", "1", "--tasks",
                        "binary-sneaker-boot,ternary-footwear", "--poll", "1", "--out", out.toString())));
                Thread.sleep(2000); // the first takes the first teacher, the second goes on to the next task
            }
            for (Future<Integer> f : both) {
                assertEquals(0, f.get(10, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            assertEquals(List.of(), s.filter(Files::isDirectory).toList(), "no run left a checkpoint folder, so every one finished");
        }
        for (String f : List.of("report.md", "report.json", "learning-curves-binary-sneaker-boot.png", "learning-curves-ternary-footwear.png",
                "binary-sneaker-boot-teacher.onnx", "binary-sneaker-boot-student.onnx", "binary-sneaker-boot-student-kd.onnx",
                "binary-sneaker-boot-student-kd-transfer.onnx", "ternary-footwear-student-kd-transfer.onnx",
                "confusion-ternary-footwear-student-kd-transfer.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertFalse(Files.exists(out.resolve("teacher.onnx")), "the 10-class task was not asked for");
        assertFalse(Files.exists(out.resolve("learning-curves-binary-tshirt-shirt.png")), "the T-shirt/shirt task was not asked for");
        String json = Files.readString(out.resolve("report.json"));
        assertTrue(json.contains("--tasks binary-sneaker-boot,ternary-footwear"), "the command in the report names the tasks");
        assertTrue(json.contains("\"binary-sneaker-boot-student-kd-transfer\"") && json.contains("\"ternary-footwear-student-kd-transfer\""), json);
        assertFalse(json.contains("\"five-class-"), json);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("Sneaker vs. Ankle boot") && md.contains("ternary"), md);
        // Each task's iteration target names the arm it is a share of: the binary task trains a student alone, the ternary
        // task does not.
        assertEquals(1, occurrences(md, "of the validation accuracy of the student alone)"), md);
        assertEquals(1, occurrences(md, "of the student, distilled + transfer, as this task trains no student alone"), md);
    }

    @Test
    void anUnknownTaskIsAUsageErrorBeforeAnyWork() throws Exception {
        Path out = dir.resolve("never");
        assertEquals(2, EdgekdTrain.run("reproduce", "--fast", "--data", "sample", "--tasks", "binary-sneaker-boot,nine-class", "--out", out.toString()));
        assertFalse(Files.exists(out), "nothing may be written for a rejected command");
    }

    private static long occurrences(String text, String literal) {
        return Pattern.compile(Pattern.quote(literal)).matcher(text).results().count();
    }
}
