package io.edgekd.train.experiment;

import io.edgekd.train.cli.EdgekdTrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quickstart in its reduced setting ({@code --fast}), end to end: every file is there and report.json has the
 * documented figures for every model, with sane values (accuracies in (0, 1], ONNX Runtime agreeing with DL4J on
 * every test image).
 */
class QuickstartTest {
    private static final List<String> FIELDS = List.of("name", "role", "accuracy", "logLoss", "iterations", "trainSeconds", "params",
            "macs", "edgeMsPerFrame", "dl4jMsPerFrame", "onnxAgreement");

    @TempDir
    Path dir;

    @Test
    void fastQuickstartWritesTheReport() throws Exception {
        Path out = dir.resolve("quickstart-out");
        assertEquals(0, EdgekdTrain.run("quickstart", "--fast", "--quiet", "--out", out.toString()));
        for (String f : List.of("report.md", "report.json", "learning-curves.png", "teacher.onnx", "student.onnx", "student-kd-transfer.onnx",
                "confusion-teacher.png", "confusion-student.png", "confusion-student-kd-transfer.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        String json = Files.readString(out.resolve("report.json"));
        String models = json.substring(json.indexOf("\"models\""));
        String[] objects = models.split("\\n    \\{");
        assertEquals(4, objects.length, "three model objects expected:\n" + models);
        for (int i = 1; i < objects.length; i++) {
            String m = objects[i];
            for (String field : FIELDS) {
                assertTrue(m.contains("\"" + field + "\": "), field + " missing in " + m);
            }
            double accuracy = number(m, "accuracy");
            assertTrue(accuracy > 0 && accuracy <= 1, "accuracy " + accuracy);
            assertEquals(1.0, number(m, "onnxAgreement"), 0.0, m);
            assertTrue(number(m, "edgeMsPerFrame") > 0 && number(m, "dl4jMsPerFrame") > 0, m);
            assertTrue(number(m, "macs") > 1_000_000 && number(m, "params") > 1000, m);
            assertTrue(number(m, "logLoss") > 0, m);
        }
        assertTrue(models.contains("\"role\": \"teacher\"") && models.contains("\"role\": \"student\""), models);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Table I analogue") && md.contains("| teacher |") && md.contains("| student, distilled + transfer |"), md);
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\": (-?[0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
