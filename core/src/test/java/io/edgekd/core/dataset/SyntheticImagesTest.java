package io.edgekd.core.dataset;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticImagesTest {
    @Test
    void sameSeedSameBytes() {
        ImageDataset a = SyntheticImages.builder().classes(5).size(20, 12).channels(3).perClass(7).seed(9).build();
        ImageDataset b = SyntheticImages.builder().classes(5).size(20, 12).channels(3).perClass(7).seed(9).build();
        ImageDataset c = SyntheticImages.builder().classes(5).size(20, 12).channels(3).perClass(7).seed(10).build();
        assertEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.fingerprint(), c.fingerprint());
        assertEquals(35, a.size());
        assertEquals(3, a.channels());
        assertEquals(20, a.width());
        assertEquals(12, a.height());
        assertEquals(List.of("red-disc", "red-square", "red-triangle", "red-ring", "red-cross"), a.classes());
    }

    @Test
    void classesDifferOnAverage() {
        // The mean image of each class must differ clearly from every other class: the task is learnable.
        int classes = 16;
        ImageDataset ds = SyntheticImages.builder().classes(classes).size(16, 16).channels(1).perClass(60).seed(1).build();
        double[][] mean = new double[classes][256];
        for (int i = 0; i < ds.size(); i++) {
            for (int p = 0; p < 256; p++) {
                mean[ds.label(i)][p] += ds.pixel(i, p / 16, p % 16, 0) / 60.0;
            }
        }
        for (int a = 0; a < classes; a++) {
            for (int b = a + 1; b < classes; b++) {
                double d = 0;
                for (int p = 0; p < 256; p++) {
                    d += Math.abs(mean[a][p] - mean[b][p]);
                }
                assertTrue(d / 256 > 3, "classes " + a + " and " + b + " look alike: mean abs difference " + d / 256);
            }
        }
    }

    @Test
    void limitsAreChecked() {
        assertEquals(16, SyntheticImages.maxClasses(1));
        assertEquals(48, SyntheticImages.maxClasses(3));
        assertThrows(IllegalArgumentException.class, () -> SyntheticImages.builder().classes(17).channels(1).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticImages.builder().channels(2).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticImages.builder().size(4, 4).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticImages.builder().perClass(0).build());
    }
}
