package io.edgekd.train.network;

import io.edgekd.core.network.LayerSpec;
import io.edgekd.core.network.NetworkCost;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkFamiliesTest {
    private static final InputShape FASHION = new InputShape(1, 28, 28);

    @Test
    void teacherCostsAtLeastTenStudents() throws Exception {
        NetworkCost teacher = Dl4jNetworks.cost(Networks.build(TeacherNetwork.builder().build(), FASHION, 10, 1), FASHION);
        NetworkCost student = Dl4jNetworks.cost(Networks.build(StudentNetwork.builder().build(), FASHION, 10, 1), FASHION);
        assertTrue(teacher.totalMacs() >= 10 * student.totalMacs(), teacher.totalMacs() + " vs " + student.totalMacs());
        assertEquals(101_448_704L, teacher.totalMacs());
        assertEquals(2_889_536L, student.totalMacs());
        assertEquals(36_554L, student.totalParams());
    }

    @Test
    void costOfTheStudentByHand() throws Exception {
        MultiLayerNetwork net = Networks.build(StudentNetwork.builder().build(), FASHION, 10, 1);
        NetworkCost cost = Dl4jNetworks.cost(net, FASHION);
        // stem 3x3x1x32 at 28x28; per block: dw 3x3 at the output size, pw in x out at the output size; dense 128 x 10.
        long stem = 28L * 28 * 32 * 9;
        long b1 = 14L * 14 * 32 * 9 + 14L * 14 * 32 * 64;
        long b2 = 14L * 14 * 64 * 9 + 14L * 14 * 64 * 64;
        long b3 = 7L * 7 * 64 * 9 + 7L * 7 * 64 * 128;
        long b4 = 7L * 7 * 128 * 9 + 7L * 7 * 128 * 128;
        assertEquals(stem + b1 + b2 + b3 + b4 + 128 * 10, cost.totalMacs());
        // The parameters the walk reports are the network's own.
        assertEquals(net.numParams(), cost.totalParams());
    }

    @Test
    void walkDescribesEveryLayerWithItsWeights() throws Exception {
        MultiLayerNetwork net = Networks.build(StudentNetwork.builder().depthwiseBatchNorm(true).build(), new InputShape(3, 17, 13), 5, 2);
        var nodes = Dl4jNetworks.describe(net, new InputShape(3, 17, 13));
        LayerSpec.Conv2d dw = (LayerSpec.Conv2d) nodes.stream().filter(n -> n.layerName().equals("stage1_block1_dw")).findFirst().orElseThrow().spec();
        assertEquals(32, dw.groups());
        assertEquals(LayerSpec.PaddingMode.SAME, dw.padding());
        assertEquals(32 * 9, nodes.stream().filter(n -> n.layerName().equals("stage1_block1_dw")).findFirst().orElseThrow().tensors().get("W").length);
        assertTrue(nodes.get(nodes.size() - 1).spec() instanceof LayerSpec.Dense);
        assertEquals(5, ((LayerSpec.Dense) nodes.get(nodes.size() - 1).spec()).outFeatures());
        assertEquals(5, Dl4jNetworks.numClasses(net));
    }

    @Test
    void unsupportedLayersAreNamed() {
        MultiLayerNetwork rnn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).build())
                .layer(new LSTM.Builder().nOut(3).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(4)).build());
        rnn.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class, () -> Dl4jNetworks.describe(rnn, new InputShape(1, 2, 2)));
        assertTrue(e.getMessage().startsWith("layer 0 (") || e.getMessage().startsWith("layer 1 (LSTM"), e.getMessage());
        assertTrue(e.getMessage().contains("supported: ConvolutionLayer"), e.getMessage());

        MultiLayerNetwork noOutput = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).activation(Activation.RELU).build())
                .setInputType(InputType.feedForward(4)).build());
        noOutput.init();
        UnsupportedLayerException none = assertThrows(UnsupportedLayerException.class, () -> Dl4jNetworks.describe(noOutput, new InputShape(4, 1, 1)));
        assertTrue(none.getMessage().contains("no output layer"), none.getMessage());

        MultiLayerNetwork sigmoid = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(2).activation(Activation.SIGMOID).build())
                .build());
        sigmoid.init();
        UnsupportedLayerException act = assertThrows(UnsupportedLayerException.class, () -> Dl4jNetworks.describe(sigmoid, new InputShape(4, 1, 1)));
        assertTrue(act.getMessage().contains("activation sigmoid") || act.getMessage().contains("flatten"), act.getMessage());
    }
}
