package io.edgekd.train.data;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.ResizeMode;
import io.edgekd.train.Fixtures;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataFeedingTest {
    private static final Normalization NORM = Normalization.of(1f / 255f, new float[] {0.3f, 0.4f, 0.5f}, new float[] {0.2f, 0.25f, 0.3f});

    @Test
    void featuresAreWhatTheEdgeRuntimeComputes() {
        ImageDataset data = SyntheticImages.builder().classes(3).size(12, 10).channels(3).perClass(4).seed(2).build();
        BatchSource source = new BatchSource(data, NORM);
        INDArray f = source.features(new int[] {5, 0}, Augmentation.NONE, 0, 0);
        assertArrayEquals(new long[] {2, 3, 10, 12}, f.shape());
        FramePreprocessor pre = new FramePreprocessor(3, 10, 12, PixelOrder.RGB, NORM, ResizeMode.STRETCH);
        byte[] img = new byte[data.imageBytes()];
        data.copyImage(5, img, 0);
        FloatBuffer expected = FloatBuffer.allocate(360);
        pre.toFloatNchw(img, 0, 12, 10, 36, PixelFormat.RGB24, expected, 0);
        float[] got = f.reshape(2, 360).getRow(0).toFloatVector();
        assertArrayEquals(expected.array(), got, 1e-6f);
        INDArray labels = source.labels(new int[] {5, 0});
        assertArrayEquals(new long[] {2, 3}, labels.shape());
        float[] oneHot = new float[3];
        oneHot[data.label(5)] = 1;
        assertArrayEquals(oneHot, labels.getRow(0).toFloatVector(), 0f);
        INDArray kd = io.edgekd.train.loss.KnowledgeDistillationLoss.labels(source.classIndices(new int[] {5, 0}), 3,
                new float[][] {{7f, 8f, 9f}, {1f, 2f, 3f}});
        float[] row = new float[6];
        row[data.label(5)] = 1;
        row[3] = 7;
        row[4] = 8;
        row[5] = 9;
        assertArrayEquals(row, kd.getRow(0).toFloatVector(), 0f);
    }

    @Test
    void augmentationIsSeededAndFlips() {
        Augmentation flip = new Augmentation(true, 0);
        byte[] src = {1, 2, 3, 4, 5, 6};
        byte[] dst = new byte[6];
        boolean flipped = false;
        for (int p = 0; p < 20; p++) {
            flip.apply(src, dst, 3, 2, 1, Augmentation.random(1, 0, p));
            if (dst[0] == 3) {
                assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4}, dst);
                flipped = true;
            } else {
                assertArrayEquals(src, dst);
            }
        }
        assertTrue(flipped);
        Augmentation shift = new Augmentation(false, 2);
        byte[] a = new byte[6];
        byte[] b = new byte[6];
        shift.apply(src, a, 3, 2, 1, Augmentation.random(5, 1, 3));
        shift.apply(src, b, 3, 2, 1, Augmentation.random(5, 1, 3));
        assertArrayEquals(a, b);
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(true, -1));
    }

    @Test
    void iteratorCoversEachEpochInANewOrderAndTrainsADl4jNetwork() {
        ImageDataset data = SyntheticImages.builder().classes(3).size(16, 16).channels(1).perClass(10).seed(2).build();
        ImageDataSetIterator it = new ImageDataSetIterator(data, Normalization.unit(1), 8, Augmentation.NONE, 3);
        Set<Float> firstEpoch = new HashSet<>();
        int batches = 0;
        int examples = 0;
        float firstValue = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            if (batches == 0) {
                firstValue = ds.getFeatures().getFloat(0);
            }
            batches++;
            examples += ds.numExamples();
            firstEpoch.add(ds.getFeatures().sumNumber().floatValue());
        }
        assertEquals(4, batches);
        assertEquals(30, examples);
        it.reset();
        assertNotEquals(firstValue, it.next().getFeatures().getFloat(0), "a new epoch reshuffles");
        assertEquals(3, it.totalOutcomes());
        assertEquals(data.classes(), it.getLabels());
        it.reset();
        MultiLayerNetwork net = Networks.build(Fixtures.tinyStudent(), new InputShape(1, 16, 16), 3, 1);
        net.fit(it, 2);
        assertTrue(Double.isFinite(net.score()));
    }
}
