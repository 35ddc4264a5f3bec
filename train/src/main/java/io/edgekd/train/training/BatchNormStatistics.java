package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.data.BatchSource;
import io.edgekd.train.network.Dl4jNetworks;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-estimates the running statistics of every batch-norm layer from a pass over training images ("precise
 * batch norm", Wu &amp; Johnson 2021, "Rethinking 'Batch' in BatchNorm").
 *
 * <p>DL4J keeps an exponential moving average of each batch's mean and variance (decay 0.9), so the statistics a
 * network uses at inference come mostly from its last ten batches, taken while the weights were still moving. On
 * these networks the gap is large: measured on the Fashion-MNIST sample, inference accuracy trails the accuracy
 * with batch statistics by up to eight points and jumps from one validation to the next. Averaging the batch
 * statistics of a few hundred images with equal weight, with the weights fixed, closes the gap. It changes no
 * trained weight, only what the exported model normalises with.
 *
 * <p>Thread safety: stateless; the network must not be in use meanwhile.
 */
public final class BatchNormStatistics {
    private BatchNormStatistics() {
    }

    /**
     * @param net           the network (its batch-norm means and variances are replaced)
     * @param data          training images
     * @param normalization input normalisation
     * @param examples      images to use (the first ones of {@code data})
     * @param batchSize     batch size of the pass (the statistics are per batch, as in training)
     * @return the number of batch-norm layers updated
     */
    public static int recalibrate(MultiLayerNetwork net, ImageDataset data, Normalization normalization, int examples, int batchSize) {
        List<Integer> layers = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer cfg = net.getLayer(i).conf().getLayer();
            if (cfg instanceof BatchNormalization) {
                layers.add(i);
            }
        }
        int n = Math.min(examples, data.size());
        if (layers.isEmpty() || n == 0) {
            return 0;
        }
        CNN2DFormat format = Dl4jNetworks.inputFormat(net);
        BatchSource source = new BatchSource(data, normalization, format);
        // Batch norm's statistics are per channel: average over every other axis of the layer's input.
        int[] spatialDims = format == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
        double[][] mean = new double[layers.size()][];
        double[][] square = new double[layers.size()][];
        int batches = 0;
        for (int from = 0; from + batchSize <= n || (from == 0 && n > 0); from += batchSize) {
            int b = Math.min(batchSize, n - from);
            int[] pos = new int[b];
            for (int j = 0; j < b; j++) {
                pos[j] = from + j;
            }
            List<INDArray> acts = net.feedForward(source.features(pos, Augmentation.NONE, 0, 0), true);
            for (int k = 0; k < layers.size(); k++) {
                INDArray in = acts.get(layers.get(k));
                int[] dims = in.rank() == 4 ? spatialDims : new int[] {0};
                double[] m = in.mean(dims).castTo(DataType.DOUBLE).toDoubleVector();
                double[] q = in.mul(in).mean(dims).castTo(DataType.DOUBLE).toDoubleVector();
                if (mean[k] == null) {
                    mean[k] = new double[m.length];
                    square[k] = new double[m.length];
                }
                for (int c = 0; c < m.length; c++) {
                    mean[k][c] += m[c];
                    square[k][c] += q[c];
                }
            }
            batches++;
            if (b < batchSize) {
                break;
            }
        }
        for (int k = 0; k < layers.size(); k++) {
            org.deeplearning4j.nn.api.Layer layer = net.getLayer(layers.get(k));
            BatchNormalization cfg = (BatchNormalization) layer.conf().getLayer();
            int c = mean[k].length;
            float[] mu = new float[c];
            float[] stat = new float[c];
            for (int i = 0; i < c; i++) {
                double m = mean[k][i] / batches;
                double var = Math.max(1e-12, square[k][i] / batches - m * m);
                mu[i] = (float) m;
                // DL4J normalises with sqrt((10^log10stdev)^2 + eps) when it stores log10 of the standard deviation.
                stat[i] = cfg.isUseLogStd() ? (float) (0.5 * Math.log10(var)) : (float) var;
            }
            INDArray meanParam = layer.getParam("mean");
            meanParam.assign(Nd4j.createFromArray(mu).reshape(meanParam.shape()).castTo(meanParam.dataType()));
            INDArray statParam = layer.getParam(cfg.isUseLogStd() ? "log10stdev" : "var");
            statParam.assign(Nd4j.createFromArray(stat).reshape(statParam.shape()).castTo(statParam.dataType()));
        }
        return layers.size();
    }
}
