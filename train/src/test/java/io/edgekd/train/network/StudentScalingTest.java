package io.edgekd.train.network;

import io.edgekd.core.network.NetworkCost;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.ExportResult;
import io.edgekd.train.export.OnnxExporter;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The student's downsampling chosen from the input size, and that every size still trains and exports. */
class StudentScalingTest {
    private static final StudentNetwork DEFAULT = StudentNetwork.builder().build();

    @Test
    void stemStrideAndStagesFollowTheInputSize() {
        int[][] expected = {
                // side, stem stride, stages
                {17, 1, 2}, {28, 1, 2}, {32, 1, 2}, {48, 1, 3}, {64, 2, 2}, {96, 2, 3}, {128, 2, 3}, {160, 2, 4}, {224, 2, 4}, {320, 2, 5}};
        for (int[] e : expected) {
            InputShape in = new InputShape(3, e[0], e[0]);
            assertEquals(e[1], DEFAULT.stemStride(in), "stem stride at " + in);
            assertEquals(e[2], DEFAULT.stages(in), "stages at " + in);
        }
        // The shorter side decides.
        assertEquals(3, DEFAULT.stages(new InputShape(3, 96, 224)));
        // Fixed settings win over the input size.
        StudentNetwork fixed = StudentNetwork.builder().stages(2).stemStride(1).build();
        assertEquals(1, fixed.stemStride(new InputShape(3, 224, 224)));
        assertEquals(2, fixed.stages(new InputShape(3, 224, 224)));
        assertThrows(IllegalArgumentException.class, () -> StudentNetwork.builder().stemStride(3).build());
        assertThrows(IllegalArgumentException.class, () -> StudentNetwork.builder().stages(-1).build());
    }

    @Test
    void theFashionStudentIsUnchanged() throws Exception {
        // The layers the student had before sizes were chosen automatically: stride-1 stem, 2 stages.
        InputShape fashion = new InputShape(1, 28, 28);
        List<Layer> auto = DEFAULT.hiddenLayers(fashion);
        List<Layer> fixed = StudentNetwork.builder().stages(2).stemStride(1).build().hiddenLayers(fashion);
        assertEquals(fixed.size(), auto.size());
        for (int i = 0; i < auto.size(); i++) {
            assertEquals(fixed.get(i).toString(), auto.get(i).toString(), "layer " + i);
        }
        assertArrayEquals(new int[] {1, 1}, ((ConvolutionLayer) auto.get(0)).getStride());
        NetworkCost cost = Dl4jNetworks.cost(Networks.build(DEFAULT, fashion, 10, 1), fashion);
        assertEquals(36_554L, cost.totalParams());
        assertEquals(2_889_536L, cost.totalMacs());
    }

    @Test
    void costAtCameraSizes() throws Exception {
        // MobileNetV2 1.0 at 224x224x3 is ~300 M multiply-accumulates (Sandler et al. 2018, Table 3); the 20 ms
        // budget on a Raspberry Pi 4 (MobileNetV2 61.9 ms there) needs a student under a third of it.
        long[] macs = new long[4];
        int[] sides = {28, 96, 160, 224};
        for (int i = 0; i < sides.length; i++) {
            InputShape in = new InputShape(3, sides[i], sides[i]);
            macs[i] = Dl4jNetworks.cost(Networks.build(DEFAULT, in, 10, 1), in).totalMacs();
        }
        assertEquals(3_341_120L, macs[0], "28x28x3 keeps the Fashion-MNIST layout");
        System.out.println("student MACs at 28/96/160/224 (3 channels): " + java.util.Arrays.toString(macs));
        assertTrue(macs[1] < 20_000_000L, "96x96x3: " + macs[1]);
        assertTrue(macs[3] < 0.32 * 300_000_000L, "224x224x3: " + macs[3]);
        assertTrue(macs[2] < macs[3] && macs[1] < macs[2], "cost grows with the input: " + java.util.Arrays.toString(macs));
    }

    @Test
    void aStridedStudentTrains() {
        // 3x64x64: strided stem and 2 stages; 3x48x48: stride-1 stem and 3 stages. A fixed batch must be learnt.
        for (int side : new int[] {64, 48}) {
            InputShape in = new InputShape(3, side, side);
            MultiLayerNetwork net = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).blocksPerStage(1).build(),
                    in, 3, 7);
            Nd4j.getRandom().setSeed(11);
            INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 12, 3, side, side);
            INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 12, 3);
            for (int i = 0; i < 12; i++) {
                // Learnable: each class has its own brightness.
                y.putScalar(i, i % 3, 1f);
                x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).addi(i % 3);
            }
            DataSet batch = new DataSet(x, y);
            double first = net.score(batch);
            for (int i = 0; i < 30; i++) {
                net.fit(batch);
            }
            double last = net.score(batch);
            assertTrue(Double.isFinite(last) && last < 0.7 * first, side + ": loss " + first + " -> " + last);
        }
    }

    @Test
    void theCameraStudentExportsAndAgreesWithOnnxRuntime(@TempDir Path dir) throws Exception {
        InputShape in = new InputShape(3, 224, 224);
        MultiLayerNetwork net = Networks.build(DEFAULT, in, 5, 3);
        ModelSpec spec = ModelSpec.builder()
                .labels(IntStream.range(0, 5).mapToObj(i -> "c" + i).toList())
                .input(3, 224, 224).normalization(Normalization.uniform(3, 0.5f, 0.25f))
                .role(ModelRole.STUDENT).build();
        Path file = dir.resolve("student-224.onnx");
        // The exporter runs the written file in ONNX Runtime and compares every probability with DL4J's.
        ExportResult r = new OnnxExporter(ExportOptions.builder().checkSamples(2).tolerance(1e-4).build()).export(net, spec, file);
        assertEquals(2, r.samplesCompared());
        assertTrue(r.maxAbsDiff() <= 1e-4, "max |DL4J - ONNX Runtime| = " + r.maxAbsDiff());
        assertTrue(Files.size(file) > 100_000, "weights are in the file");
        // Stem + 4 stages of 2 depthwise-separable blocks (2 convolutions each).
        assertEquals(17, r.operators().stream().filter("Conv"::equals).count(), r.operators().toString());
    }
}
