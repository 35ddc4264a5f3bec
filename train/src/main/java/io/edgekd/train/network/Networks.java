package io.edgekd.train.network;

import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds DL4J networks from a {@link NetworkFamily}: shared settings (float32, NCHW, He initialisation, SAME
 * convolutions, workspaces on), the optimiser, and an output layer emitting logits under the given loss.
 *
 * <pre>{@code
 * MultiLayerNetwork student = Networks.build(StudentNetwork.builder().build(), new InputShape(1, 28, 28), 10,
 *         new Adam(2e-3), 0, 42, new SoftmaxCrossEntropyLoss());
 * }</pre>
 *
 * <p>Thread safety: stateless.
 */
public final class Networks {
    /** Layers in the shared stem block: convolution, batch norm, activation. */
    public static final int STEM_LAYERS = 3;

    private Networks() {
    }

    /**
     * @param filters stem filters
     * @return the stem block every family starts with
     */
    static List<Layer> stem(int filters) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new ConvolutionLayer.Builder(3, 3).name("stem_conv").nOut(filters).stride(1, 1)
                .hasBias(false).activation(Activation.IDENTITY).build());
        layers.add(new BatchNormalization.Builder().name("stem_bn").build());
        layers.add(new ActivationLayer.Builder().name("stem_relu").activation(Activation.RELU).build());
        return layers;
    }

    /**
     * @param family          network family
     * @param input           input size
     * @param numClasses      classes
     * @param updater         the optimiser, schedule included (see {@code io.edgekd.train.training.OptimizerConfig#toUpdater})
     * @param weightDecay     decoupled weight decay, 0 for none
     * @param seed            weight-initialisation seed
     * @param loss            loss of the output layer; the output layer emits logits
     * @return the configuration
     */
    public static MultiLayerConfiguration configure(NetworkFamily family, InputShape input, int numClasses, IUpdater updater,
                                                    double weightDecay, long seed, ILossFunction loss) {
        return configure(family, input, numClasses, updater, weightDecay, seed, loss, CNN2DFormat.NCHW);
    }

    /**
     * As {@link #configure(NetworkFamily, InputShape, int, IUpdater, double, long, ILossFunction)} with the input
     * layout chosen: the same layers and parameters either way (weights are stored alike), only the order in which
     * activations are laid out differs.
     *
     * @param family      network family
     * @param input       input size
     * @param numClasses  classes
     * @param updater     the optimiser
     * @param weightDecay decoupled weight decay, 0 for none
     * @param seed        weight-initialisation seed
     * @param loss        output-layer loss
     * @param format      NCHW or NHWC
     * @return the configuration
     */
    public static MultiLayerConfiguration configure(NetworkFamily family, InputShape input, int numClasses, IUpdater updater,
                                                    double weightDecay, long seed, ILossFunction loss, CNN2DFormat format) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses: expected at least 2, found " + numClasses);
        }
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
        if (weightDecay > 0) {
            b.weightDecay(weightDecay);
        }
        NeuralNetConfiguration.ListBuilder list = b.list();
        int i = 0;
        for (Layer l : family.hiddenLayers(input)) {
            list.layer(i++, l);
        }
        list.layer(i, new OutputLayer.Builder(loss).name("output").nOut(numClasses).activation(Activation.IDENTITY)
                .weightInit(WeightInit.XAVIER).build());
        list.setInputType(InputType.convolutional(input.height(), input.width(), input.channels(), format));
        return list.build();
    }

    /**
     * Configures and initialises a network, with ND4J prepared first ({@link TrainingBackend#init()}).
     *
     * @param family          network family
     * @param input           input size
     * @param numClasses      classes
     * @param updater         the optimiser, schedule included
     * @param weightDecay     decoupled weight decay, 0 for none
     * @param seed            weight-initialisation seed
     * @param loss            output-layer loss
     * @return the initialised network
     */
    public static MultiLayerNetwork build(NetworkFamily family, InputShape input, int numClasses, IUpdater updater,
                                          double weightDecay, long seed, ILossFunction loss) {
        return build(family, input, numClasses, updater, weightDecay, seed, loss, CNN2DFormat.NCHW);
    }

    /**
     * @param family      network family
     * @param input       input size
     * @param numClasses  classes
     * @param updater     the optimiser
     * @param weightDecay decoupled weight decay
     * @param seed        weight-initialisation seed
     * @param loss        output-layer loss
     * @param format      NCHW or NHWC
     * @return the initialised network
     */
    public static MultiLayerNetwork build(NetworkFamily family, InputShape input, int numClasses, IUpdater updater,
                                          double weightDecay, long seed, ILossFunction loss, CNN2DFormat format) {
        TrainingBackend.init();
        MultiLayerNetwork net = new MultiLayerNetwork(configure(family, input, numClasses, updater, weightDecay, seed, loss, format));
        net.init();
        return net;
    }

    /**
     * As {@link #build} with plain cross-entropy on logits.
     *
     * @param family     network family
     * @param input      input size
     * @param numClasses classes
     * @param seed       weight-initialisation seed
     * @return the initialised network, Adam 1e-3
     */
    public static MultiLayerNetwork build(NetworkFamily family, InputShape input, int numClasses, long seed) {
        return build(family, input, numClasses, new Adam(1e-3), 0, seed, new SoftmaxCrossEntropyLoss());
    }
}
