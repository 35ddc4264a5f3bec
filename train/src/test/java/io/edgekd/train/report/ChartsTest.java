package io.edgekd.train.report;

import io.edgekd.core.metrics.ConfusionMatrix;
import io.edgekd.train.training.CurvePoint;
import io.edgekd.train.training.LearningCurve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    @TempDir
    Path dir;

    @Test
    void learningCurvesDrawEveryRunIncludingZeroAndMissingLosses() throws IOException {
        LearningCurve teacher = new LearningCurve("teacher");
        LearningCurve student = new LearningCurve("student-kd");
        for (int i = 1; i <= 5; i++) {
            teacher.add(new CurvePoint(100L * i, i, 1.0 / i, 0.8 + 0.03 * i, 0.5 / i, 10 * i));
            // A distillation loss starts far above cross-entropy; the last point is a perfectly confident, perfectly right model.
            student.add(new CurvePoint(100L * i, i, i == 1 ? Double.NaN : 4.0 / i, 0.7 + 0.06 * i, i == 5 ? 0.0 : 0.6 / i, 8 * i));
        }
        Path file = dir.resolve("curves/learning-curves.png");
        Charts.learningCurves("synthetic", List.of(teacher, student, new LearningCurve("empty")), file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, "expected a readable PNG");
        assertEquals(1280, img.getWidth());
        assertEquals(440, img.getHeight());
        assertTrue(distinctColours(img) > 4, "expected coloured curves, found a blank picture");
        assertEquals(List.of("learning-curves.png"), names(file.getParent()));
    }

    @Test
    void confusionMatrixAndBars() throws IOException {
        ConfusionMatrix m = new ConfusionMatrix(List.of("cat", "dog", "bird"));
        m.add(0, 0);
        m.add(0, 1);
        m.add(1, 1);
        m.add(2, 2);
        Path cm = dir.resolve("confusion.png");
        Charts.confusionMatrix("test", m, cm);
        assertNotNull(ImageIO.read(cm.toFile()));
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("bare", 91.7);
        values.put("classify", 105.0);
        Path bars = dir.resolve("bars.png");
        Charts.bars("JMH", "us/op", values, bars);
        assertTrue(distinctColours(ImageIO.read(bars.toFile())) > 2);
        assertEquals(List.of("bars.png", "confusion.png"), names(dir));
    }

    private static long distinctColours(BufferedImage img) {
        return java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().limit(100).count();
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
