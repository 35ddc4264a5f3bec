package io.edgekd.train.eval;

import io.edgekd.core.classify.Softmax;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.data.BatchSource;
import io.edgekd.train.model.TrainedModel;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a DL4J network over a dataset in batches: raw outputs (the teacher logits distillation caches),
 * class probabilities, and core {@link Evaluation}s (accuracy, log loss, confusion matrix).
 *
 * <p>Thread safety: stateless; the network must not be used by another thread meanwhile.
 */
public final class Dl4jEvaluator {
    private Dl4jEvaluator() {
    }

    /**
     * @param net           the network
     * @param data          examples
     * @param normalization input normalisation
     * @param batchSize     examples per forward pass
     * @return the network's outputs per example, {@code [n][K]}: logits for edgekd's networks
     */
    public static float[][] outputs(MultiLayerNetwork net, ImageDataset data, Normalization normalization, int batchSize) {
        BatchSource source = new BatchSource(data, normalization, io.edgekd.train.network.Dl4jNetworks.inputFormat(net));
        int n = data.size();
        float[][] out = new float[n][];
        for (int from = 0; from < n; from += batchSize) {
            int b = Math.min(batchSize, n - from);
            int[] pos = new int[b];
            for (int j = 0; j < b; j++) {
                pos[j] = from + j;
            }
            INDArray y = net.output(source.features(pos, Augmentation.NONE, 0, 0), false).castTo(DataType.FLOAT);
            float[][] rows = y.toFloatMatrix();
            System.arraycopy(rows, 0, out, from, b);
        }
        return out;
    }

    /**
     * @param net a network
     * @return whether its output layer already applies softmax (edgekd's own networks emit logits)
     */
    public static boolean outputsProbabilities(MultiLayerNetwork net) {
        Layer last = net.getLayer(net.getnLayers() - 1).conf().getLayer();
        return last instanceof BaseOutputLayer out && out.getActivationFn() instanceof ActivationSoftmax;
    }

    /**
     * @param net           the network
     * @param data          examples
     * @param normalization input normalisation
     * @param batchSize     examples per forward pass
     * @return class probabilities per example
     */
    public static float[][] probabilities(MultiLayerNetwork net, ImageDataset data, Normalization normalization, int batchSize) {
        float[][] out = outputs(net, data, normalization, batchSize);
        if (!outputsProbabilities(net)) {
            for (float[] row : out) {
                Softmax.inPlace(row, 0, row.length);
            }
        }
        return out;
    }

    /**
     * @param net           the network
     * @param data          labelled examples whose classes are the network's outputs, in order
     * @param normalization input normalisation
     * @param batchSize     examples per forward pass
     * @return accuracy, log loss and confusion matrix
     */
    public static Evaluation evaluate(MultiLayerNetwork net, ImageDataset data, Normalization normalization, int batchSize) {
        float[][] p = probabilities(net, data, normalization, batchSize);
        Evaluation eval = new Evaluation(data.classes());
        for (int i = 0; i < p.length; i++) {
            eval.add(data.label(i), p[i], 0);
        }
        return eval;
    }

    /**
     * @param model     a trained model
     * @param data      labelled examples of the model's classes and input size
     * @param batchSize examples per forward pass
     * @return accuracy, log loss and confusion matrix
     * @throws IllegalArgumentException when the data's classes, channels or size differ from the model's
     */
    public static Evaluation evaluate(TrainedModel model, ImageDataset data, int batchSize) {
        checkCompatible(model.spec(), data, "evaluation data");
        return evaluate(model.network(), data, model.spec().normalization(), batchSize);
    }

    /**
     * @param spec a model's spec
     * @param data a dataset meant for it
     * @param what what the data is, for the message
     * @throws IllegalArgumentException naming what differs: channels, size, unknown classes, class order
     */
    public static void checkCompatible(ModelSpec spec, ImageDataset data, String what) {
        if (data.channels() != spec.channels()) {
            throw new IllegalArgumentException(what + ": expected " + spec.channels() + " channel(s) (the model's input), found "
                    + data.channels() + " in " + data.source());
        }
        if (data.height() != spec.height() || data.width() != spec.width()) {
            throw new IllegalArgumentException(what + ": expected " + spec.width() + "x" + spec.height() + " images (the model's input), found "
                    + data.width() + "x" + data.height() + " in " + data.source());
        }
        for (String c : data.classes()) {
            if (!spec.labels().contains(c)) {
                throw new IllegalArgumentException(what + ": class '" + c + "' is not one the model knows; expected classes "
                        + spec.labels() + ", found " + data.classes());
            }
        }
        if (!data.classes().equals(spec.labels())) {
            throw new IllegalArgumentException(what + ": expected the model's classes in its order " + spec.labels()
                    + ", found " + data.classes() + " (select or reorder them with ImageDataset.selectClasses)");
        }
    }
}
