package io.edgekd.examples;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifyImagesTest {
    @TempDir
    Path dir;

    @Test
    void classifiesPicturesAndReportsUnreadableOnes() throws Exception {
        ModelSpec spec = ModelSpec.builder().labels(List.of("a", "b", "c", "d")).input(3, 16, 16).pixelOrder(PixelOrder.RGB).build();
        Path model = new TestModels(spec, 4).write(dir, "m.onnx");
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
            }
        }
        Path png = dir.resolve("p.png");
        ImageIO.write(img, "png", png.toFile());
        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {1, 2, 3});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ClassifyImages.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                model.toString(), png.toString(), broken.toString());
        assertEquals(1, rc);
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith(png + ": ") && o.contains(" ms)"), o);
        assertEquals(3, o.split(",").length, o);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("broken.jpg"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, ClassifyImages.run(new PrintStream(out), new PrintStream(err), dir.resolve("none.onnx").toString(), png.toString()));
        assertEquals(2, ClassifyImages.run(new PrintStream(out), new PrintStream(err), model.toString()));
    }
}
