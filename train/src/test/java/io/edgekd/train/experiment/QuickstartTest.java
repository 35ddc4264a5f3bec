package io.edgekd.train.experiment;

import io.edgekd.train.cli.EdgekdTrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        // the command line reruns the experiment: --fast fixes schedule and seeds, so no contradicting --seeds 1 beside it
        String command = report.get("command").asText();
        assertTrue(command.contains(" quickstart --out ") && command.contains(" --fast") && !command.contains("--seeds")
                && command.contains("--alpha 0.7"), command);
        JsonNode models = report.get("models");
        assertEquals(3, models.size(), "three model objects expected: " + models);
        for (JsonNode m : models) {
            for (String field : FIELDS) {
                assertTrue(m.has(field), field + " missing in " + m);
            }
            double accuracy = m.get("accuracy").asDouble();
            assertTrue(accuracy > 0 && accuracy <= 1, "accuracy " + accuracy);
            assertEquals(1.0, m.get("onnxAgreement").asDouble(), 0.0, m.toString());
            assertTrue(m.get("edgeMsPerFrame").asDouble() > 0 && m.get("dl4jMsPerFrame").asDouble() > 0, m.toString());
            assertTrue(m.get("macs").asLong() > 1_000_000 && m.get("params").asLong() > 1000, m.toString());
            assertTrue(m.get("logLoss").asDouble() > 0, m.toString());
            // accuracy is the mean of the per-seed accuracies, listed in seed order
            JsonNode seeds = m.get("seeds");
            JsonNode accuracies = m.get("accuracies");
            assertEquals(seeds.size(), accuracies.size());
            double sum = 0;
            for (JsonNode a : accuracies) {
                sum += a.asDouble();
            }
            assertEquals(accuracy, sum / accuracies.size(), 1e-6, "report.json rounds to 6 significant digits");
        }
        double compute = 0;
        for (JsonNode m : models) {
            compute += m.get("trainSeconds").asDouble() * m.get("seeds").size();
        }
        assertTrue(compute > 0);
        assertEquals(compute, report.get("computeSeconds").asDouble(), 1e-4 * compute, "computeSeconds sums every run's training seconds");
        assertEquals("teacher", models.get(0).get("role").asText());
        assertEquals(1, models.get(0).get("seeds").size());
        JsonNode alone = models.get(1);
        JsonNode kd = models.get(2);
        assertEquals("student", alone.get("role").asText());
        assertEquals("[42,43]", alone.get("seeds").toString(), "--fast trains two paired seeds");
        assertEquals(alone.get("seeds"), kd.get("seeds"));
        JsonNode gain = report.get("kdGain");
        assertEquals(2, gain.get("seeds").asInt());
        double d0 = kd.get("accuracies").get(0).asDouble() - alone.get("accuracies").get(0).asDouble();
        double d1 = kd.get("accuracies").get(1).asDouble() - alone.get("accuracies").get(1).asDouble();
        assertEquals((d0 + d1) / 2, gain.get("mean").asDouble(), 1e-5, "kdGain is the paired difference distilled + transfer - alone");
        assertTrue(gain.get("low").asDouble() <= gain.get("mean").asDouble() && gain.get("mean").asDouble() <= gain.get("high").asDouble());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Table I analogue") && md.contains("| teacher |") && md.contains("| student, distilled + transfer |"), md);
        assertTrue(md.contains("paired by seed") && md.contains("95% interval"), md);
        assertTrue(Files.isDirectory(out.resolve("runs")), "finished runs are kept for a rerun to reuse");
    }
}
