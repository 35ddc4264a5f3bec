package io.edgekd.core.dataset;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDatasetTest {
    /** Ten classes, image i filled with byte i so views can be checked by content. */
    private static ImageDataset numbered(int n) {
        byte[][] images = new byte[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            images[i] = new byte[4];
            Arrays.fill(images[i], (byte) i);
            labels[i] = i % 10;
        }
        return ImageDataset.of(2, 2, 1, List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"), images, labels, "test");
    }

    private static int id(ImageDataset ds, int i) {
        return ds.pixel(i, 0, 0, 0);
    }

    @Test
    void selectClassesRelabelsInGivenOrder() {
        ImageDataset ds = numbered(100);
        ImageDataset binary = ds.selectClasses(List.of("c7", "c9"));
        assertEquals(List.of("c7", "c9"), binary.classes());
        assertEquals(20, binary.size());
        for (int i = 0; i < binary.size(); i++) {
            int original = id(binary, i) % 10;
            assertEquals(original == 7 ? 0 : 1, binary.label(i));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.selectClasses(List.of("c1", "dog")));
        assertTrue(e.getMessage().contains("'dog'") && e.getMessage().contains("c9"), e.getMessage());
    }

    @Test
    void mapClassesMergesAndDrops() {
        ImageDataset ds = numbered(50);
        ImageDataset merged = ds.mapClasses(Map.of("c5", "shoes", "c7", "shoes", "c0", "tops"), List.of("tops", "shoes"));
        assertEquals(15, merged.size());
        assertArrayEquals(new int[] {5, 10}, merged.classCounts());
    }

    @Test
    void splitIsStratifiedDeterministicAndDisjoint() {
        ImageDataset ds = numbered(200);
        Split a = ds.split(0.2, 11);
        Split b = ds.split(0.2, 11);
        Split c = ds.split(0.2, 12);
        assertEquals(160, a.train().size());
        assertEquals(40, a.validation().size());
        int[] four = new int[10];
        Arrays.fill(four, 4);
        assertArrayEquals(four, a.validation().classCounts());
        assertEquals(a.validation().fingerprint(), b.validation().fingerprint());
        assertNotEquals(a.validation().fingerprint(), c.validation().fingerprint());
        Set<Integer> seen = new HashSet<>();
        for (ImageDataset part : List.of(a.train(), a.validation())) {
            for (int i = 0; i < part.size(); i++) {
                assertTrue(seen.add(id(part, i)), "image in both parts");
            }
        }
        assertEquals(200, seen.size());
        assertThrows(IllegalArgumentException.class, () -> ds.split(0, 1));
        assertThrows(IllegalArgumentException.class, () -> ds.split(1, 1));
    }

    @Test
    void shuffleIsDeterministicPermutation() {
        ImageDataset ds = numbered(30);
        ImageDataset s1 = ds.shuffle(5);
        ImageDataset s2 = ds.shuffle(5);
        assertEquals(s1.fingerprint(), s2.fingerprint());
        assertNotEquals(ds.fingerprint(), s1.fingerprint());
        int[] ids = new int[30];
        for (int i = 0; i < 30; i++) {
            ids[i] = id(s1, i);
            assertEquals(ids[i] % 10, s1.label(i));
        }
        Arrays.sort(ids);
        for (int i = 0; i < 30; i++) {
            assertEquals(i, ids[i]);
        }
    }

    @Test
    void batchesCoverEverythingWithoutCopyingPixels() {
        ImageDataset ds = numbered(25);
        assertEquals(3, ds.batchCount(10));
        assertEquals(10, ds.batch(0, 10).size());
        assertEquals(5, ds.batch(2, 10).size());
        assertEquals(20, id(ds.batch(2, 10), 0));
        assertTrue(ds.batch(1, 10).imageBuffer(0).isReadOnly());
        assertEquals(13, ds.batch(1, 10).imageBuffer(3).get(0));
        assertThrows(IllegalArgumentException.class, () -> ds.batch(0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.range(5, 30));
    }

    @Test
    void balancedKeepsPerClassCount() {
        ImageDataset ds = numbered(100);
        ImageDataset b = ds.balanced(3, 1);
        assertEquals(30, b.size());
        int[] three = new int[10];
        Arrays.fill(three, 3);
        assertArrayEquals(three, b.classCounts());
    }

    @Test
    void fingerprintDependsOnLabelsAndPixels() {
        ImageDataset ds = numbered(10);
        assertEquals(64, ds.fingerprint().length());
        assertEquals(ds.fingerprint(), numbered(10).fingerprint());
        assertNotEquals(ds.fingerprint(), ds.range(0, 9).fingerprint());
        assertNotEquals(ds.fingerprint(), ds.mapClasses(
                Map.of("c0", "c0", "c1", "c1", "c2", "c2", "c3", "c3", "c4", "c4", "c5", "c5", "c6", "c6", "c7", "c7", "c8", "c8", "c9", "c9"),
                List.of("c9", "c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1", "c0")).fingerprint());
    }

    @Test
    void constructionValidates() {
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(2, 2, 1, List.of("a"), new byte[][] {new byte[3]}, new int[] {0}, "x"));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(2, 2, 1, List.of("a"), new byte[][] {new byte[4]}, new int[] {1}, "x"));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(2, 2, 1, List.of("a"), new byte[][] {new byte[4]}, new int[0], "x"));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(2, 2, 2, List.of("a"), new byte[0][], new int[0], "x"));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(2, 2, 1, List.of("a", "a"), new byte[0][], new int[0], "x"));
    }
}
