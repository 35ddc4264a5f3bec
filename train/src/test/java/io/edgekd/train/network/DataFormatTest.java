package io.edgekd.train.network;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.data.BatchSource;
import io.edgekd.train.data.DatasetStatistics;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import io.edgekd.train.training.BatchNormStatistics;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NHWC and NCHW networks are the same network laid out two ways: with the same parameters and the same images
 * they give the same scores, the same gradients (with DL4J's oneDNN helpers on every layer that has one) and,
 * after a few Adam steps, the same parameters; precise batch norm re-estimates the same statistics. Checked for both families, with batch norm in training mode.
 */
class DataFormatTest {
    static ImageDataset data;

    @BeforeAll
    static void init() {
        TrainingBackend.init();
        data = SyntheticImages.builder().classes(4).size(20, 20).channels(3).perClass(16).seed(3).noise(20).build();
    }

    static NetworkFamily family(String name) {
        return name.equals("student") ? StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build()
                : TeacherNetwork.builder().stemFilters(8).width(0.25).denseUnits(16).dropout(0).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"student", "teacher"})
    void nhwcTrainsWhatNchwTrains(String name) {
        InputShape shape = new InputShape(3, 20, 20);
        MultiLayerNetwork nchw = Networks.build(family(name), shape, 4, new Adam(1e-3), 0, 5, new SoftmaxCrossEntropyLoss(), CNN2DFormat.NCHW);
        MultiLayerNetwork nhwc = Networks.build(family(name), shape, 4, new Adam(1e-3), 0, 5, new SoftmaxCrossEntropyLoss(), CNN2DFormat.NHWC);
        assertEquals(CNN2DFormat.NHWC, Dl4jNetworks.inputFormat(nhwc));
        assertEquals(CNN2DFormat.NCHW, Dl4jNetworks.inputFormat(nchw));
        nhwc.setParams(nchw.params().dup());
        var norm = DatasetStatistics.normalization(data);
        int[] pos = new int[32];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = i * 2;
        }
        BatchSource a = new BatchSource(data, norm, CNN2DFormat.NCHW);
        BatchSource b = new BatchSource(data, norm, CNN2DFormat.NHWC);
        INDArray xa = a.features(pos, Augmentation.NONE, 1, 0);
        INDArray xb = b.features(pos, Augmentation.NONE, 1, 0);
        assertArrayEquals(xa.permute(0, 2, 3, 1).dup('c').data().asFloat(), xb.data().asFloat(), 0f, "the same pixels, laid out NHWC");
        INDArray y = a.labels(pos);

        nchw.setInput(xa);
        nchw.setLabels(y);
        nchw.computeGradientAndScore();
        nhwc.setInput(xb);
        nhwc.setLabels(y);
        nhwc.computeGradientAndScore();
        assertEquals(nchw.score(), nhwc.score(), 1e-5 * Math.abs(nchw.score()));
        INDArray ga = nchw.gradient().gradient().dup();
        INDArray gb = nhwc.gradient().gradient().dup();
        double diff = Transforms.abs(ga.sub(gb)).maxNumber().doubleValue();
        double scale = Transforms.abs(ga).maxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, name + ": gradients differ by " + diff + " (largest gradient " + scale + ")");

        for (int step = 0; step < 3; step++) {
            nchw.fit(new DataSet(xa, y));
            nhwc.fit(new DataSet(xb, y));
        }
        double pd = Transforms.abs(nchw.params().sub(nhwc.params())).maxNumber().doubleValue();
        assertTrue(pd <= 1e-4, name + ": parameters after 3 Adam steps differ by " + pd);

        // Precise batch norm averages per channel, wherever the layout puts the channel axis.
        nhwc.setParams(nchw.params().dup());
        int layers = BatchNormStatistics.recalibrate(nchw, data, norm, 48, 16);
        assertEquals(layers, BatchNormStatistics.recalibrate(nhwc, data, norm, 48, 16));
        assertTrue(layers > 0);
        double sd = Transforms.abs(nchw.params().sub(nhwc.params())).maxNumber().doubleValue();
        assertTrue(sd <= 1e-4, name + ": re-estimated batch-norm statistics differ by " + sd);
    }
}
