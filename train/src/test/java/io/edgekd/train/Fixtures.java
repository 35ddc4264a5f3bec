package io.edgekd.train;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.OptimizerConfig;
import io.edgekd.train.training.TrainingOptions;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

import java.nio.file.Files;
import java.nio.file.Path;

/** Small data and networks that train in seconds, shared by the train module's tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** @return a synthetic 3-class 16x16 gray task, 600 images, split 80/20 */
    public static Split threeClasses() {
        ImageDataset all = SyntheticImages.builder().classes(3).size(16, 16).channels(1).perClass(200).seed(11).noise(10).build();
        return all.split(0.2, 5);
    }

    /** @return a teacher a few thousand parameters big */
    public static TeacherNetwork tinyTeacher() {
        return TeacherNetwork.builder().stemFilters(8).width(0.25).convsPerStage(1).denseUnits(32).dropout(0.1).build();
    }

    /** @return a student of a few hundred parameters */
    public static StudentNetwork tinyStudent() {
        return StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).stages(2).blocksPerStage(1).build();
    }

    /**
     * @param name   run name
     * @param epochs epochs
     * @return quiet options, batch 32, Adam 5e-3
     */
    public static TrainingOptions.Builder options(String name, int epochs) {
        return TrainingOptions.builder().name(name).epochs(epochs).batchSize(32).seed(7)
                .optimizer(OptimizerConfig.adam(5e-3)).progress(ProgressBar.quiet());
    }

    /**
     * A convolution and a classifier on logits, plain SGD (0.1), no batch norm or dropout: what the equivalence of
     * several workers with one device is proved on (batch norm would see each worker's part of a batch).
     *
     * @param channels input channels
     * @param side     input height and width
     * @param classes  classes
     * @param seed     weight seed
     * @return the initialised network, with the project's own cross-entropy loss
     */
    public static MultiLayerNetwork sgdNet(int channels, int side, int classes, long seed) {
        TrainingBackend.init();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new SoftmaxCrossEntropyLoss()).nOut(classes).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(side, side, channels, CNN2DFormat.NCHW)).build());
        net.init();
        return net;
    }

    /** @return the shipped Fashion-MNIST sample, seen from the train module */
    public static Path sampleDir() {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../data/fashion-mnist-sample").normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("the shipped sample is missing: expected " + p);
        }
        return p;
    }
}
