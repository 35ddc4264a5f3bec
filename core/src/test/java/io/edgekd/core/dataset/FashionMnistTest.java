package io.edgekd.core.dataset;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {
    @Test
    void shippedSampleIsBalanced() throws Exception {
        ImageDataset train = FashionMnist.load(TestData.sampleDir(), FashionMnist.Part.TRAIN);
        ImageDataset test = FashionMnist.load(TestData.sampleDir(), FashionMnist.Part.TEST);
        assertEquals(6000, train.size());
        assertEquals(1000, test.size());
        assertEquals(28, train.width());
        assertEquals(1, train.channels());
        assertEquals(FashionMnist.CLASSES, train.classes());
        int[] perClass = new int[10];
        java.util.Arrays.fill(perClass, 600);
        assertArrayEquals(perClass, train.classCounts());
        java.util.Arrays.fill(perClass, 100);
        assertArrayEquals(perClass, test.classCounts());
        assertTrue(FashionMnist.isPresent(TestData.sampleDir()));
    }

    @Test
    void sampleIsTheFirstImagesOfEachClassOfTheFullSet() throws Exception {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR), "Debian's dataset-fashion-mnist is not installed");
        ImageDataset full = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Part.TEST);
        assertEquals(10_000, full.size());
        ImageDataset sample = FashionMnist.load(TestData.sampleDir(), FashionMnist.Part.TEST);
        int[] taken = new int[10];
        int k = 0;
        byte[] a = new byte[784];
        byte[] b = new byte[784];
        for (int i = 0; i < full.size() && k < sample.size(); i++) {
            int l = full.label(i);
            if (taken[l] < 100) {
                taken[l]++;
                assertEquals(l, sample.label(k));
                full.copyImage(i, a, 0);
                sample.copyImage(k, b, 0);
                assertArrayEquals(a, b);
                k++;
            }
        }
        assertEquals(1000, k);
    }
}
