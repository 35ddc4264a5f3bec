package io.edgekd.train.report;

import io.edgekd.core.metrics.ConfusionMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    @TempDir
    Path dir;

    @Test
    void learningCurvesPlotOnePointPerValidationOnALinearLossAxis() throws IOException {
        LearningCurve teacher = new LearningCurve("teacher");
        LearningCurve student = new LearningCurve("student-kd");
        for (int i = 1; i <= 5; i++) {
            teacher.add(new CurvePoint(100L * i, i, 1.0 / i, 0.8 + 0.03 * i, 0.5 / i, 10 * i));
            // A distillation loss starts far above cross-entropy; the first point has no training loss yet, the last
            // is a perfectly confident, perfectly right model.
            student.add(new CurvePoint(100L * i, i, i == 1 ? Double.NaN : 40.0 / i, 0.7 + 0.06 * i, i == 5 ? 0.0 : 0.6 / i, 8 * i));
        }
        XYChart[] charts = Charts.learningCurveCharts("synthetic", List.of(new Charts.CurveGroup("teacher", List.of(teacher)),
                new Charts.CurveGroup("student", List.of(student, student)), new Charts.CurveGroup("empty", List.of(new LearningCurve("e")))));
        Map<String, XYSeries> acc = charts[0].getSeriesMap();
        assertEquals(List.of("teacher", "student (2 seeds)", "student #2"), List.copyOf(acc.keySet()));
        assertArrayEquals(new double[] {100, 200, 300, 400, 500}, acc.get("teacher").getXData());
        assertArrayEquals(new double[] {0.83, 0.86, 0.89, 0.92, 0.95}, acc.get("teacher").getYData(), 1e-12);
        assertTrue(acc.get("student (2 seeds)").isShowInLegend());
        assertFalse(acc.get("student #2").isShowInLegend(), "one legend entry per arm, not per seed");
        Map<String, XYSeries> loss = charts[1].getSeriesMap();
        assertArrayEquals(new double[] {200, 300, 400, 500}, loss.get("student (2 seeds) training").getXData(), "NaN training loss is skipped");
        assertArrayEquals(new double[] {0.6, 0.3, 0.2, 0.15, 0.0}, loss.get("student (2 seeds) validation").getYData(), 1e-12);
        assertFalse(charts[1].getStyler().isYAxisLogarithmic());
        assertEquals(0.0, charts[1].getStyler().getYAxisMin(), 0);
        assertEquals(1.3 * 0.6, charts[1].getStyler().getYAxisMax(), 1e-12, "the axis follows the validation losses, not the KD training loss");

        Path file = dir.resolve("curves/learning-curves.png");
        Charts.learningCurves("synthetic", List.of(teacher, student, new LearningCurve("empty")), file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, "expected a readable PNG");
        assertEquals(1280, img.getWidth());
        assertEquals(440, img.getHeight());
        assertEquals(List.of("learning-curves.png"), names(file.getParent()), "written atomically: no temporary file left");
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
        BufferedImage b = ImageIO.read(bars.toFile());
        assertNotNull(b);
        assertTrue(b.getWidth() > 100 && b.getHeight() > 100);
        assertEquals(List.of("bars.png", "confusion.png"), names(dir));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
