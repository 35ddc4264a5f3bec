package io.edgekd.train.experiment;

import io.edgekd.train.cli.EdgekdTrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reproduction in its reduced setting ({@code --fast}) on the shipped sample, for a chosen set of tasks. */
class ReproduceTest {
    @TempDir
    Path dir;

    @Test
    void runsOnlyTheChosenTasks() throws Exception {
        Path out = dir.resolve("repro");
        assertEquals(0, EdgekdTrain.run("reproduce", "--fast", "--quiet", "--data", "sample", "--seeds", "1", "--tasks", "binary-sneaker-boot,ternary-footwear",
                "--out", out.toString()));
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
    }

    @Test
    void anUnknownTaskIsAUsageErrorBeforeAnyWork() throws Exception {
        Path out = dir.resolve("never");
        assertEquals(2, EdgekdTrain.run("reproduce", "--fast", "--data", "sample", "--tasks", "binary-sneaker-boot,nine-class", "--out", out.toString()));
        assertFalse(Files.exists(out), "nothing may be written for a rejected command");
    }
}
