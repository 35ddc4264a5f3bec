package io.edgekd.train.experiment;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.classify.Softmax;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.Normalization;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.data.BatchSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs an exported model over a test split in the edge runtime the way a device would (raw 8-bit frames in,
 * one frame per call, one thread), compares every answer with DL4J's, and times both.
 *
 * <p>These are in-process timings for a report (warm-up first, then the median of several passes); the JMH
 * benchmarks in {@code edgekd-benchmarks} are the rigorous measurement.
 *
 * @param agreement      fraction of test images whose top class is the same in both
 * @param maxProbDiff    largest absolute probability difference seen
 * @param edgeMsPerFrame edge runtime milliseconds per frame (median pass)
 * @param dl4jMsPerFrame DL4J {@code output()} milliseconds per single-image call (median pass)
 * @param frames         test images compared
 */
public record EdgeMeasurement(double agreement, double maxProbDiff, double edgeMsPerFrame, double dl4jMsPerFrame, int frames) {
    /** How the times were taken: a rough figure, labelled as such wherever it is shown. */
    public static final String TIMING = "rough: in-process median of 5 passes, one frame at a time, one thread, on a machine that has just "
            + "been training; the JMH benchmarks (benchmarks/) are the measurement";


    /**
     * @param onnx        the exported model
     * @param net         the DL4J network it came from
     * @param norm        its normalisation
     * @param test        test images
     * @param dl4jProbs   DL4J's probabilities for {@code test}, per image
     * @param dl4jFrames  single-image DL4J calls to time (DL4J is slow; a few hundred suffice)
     * @return the measurement
     * @throws EdgeModelException if the model does not open
     */
    public static EdgeMeasurement measure(Path onnx, MultiLayerNetwork net, Normalization norm, ImageDataset test, float[][] dl4jProbs,
                                          int dl4jFrames) throws EdgeModelException {
        int n = test.size();
        int w = test.width();
        int h = test.height();
        PixelFormat format = test.channels() == 1 ? PixelFormat.GRAY8 : PixelFormat.RGB24;
        byte[][] frames = new byte[n][test.imageBytes()];
        for (int i = 0; i < n; i++) {
            test.copyImage(i, frames[i], 0);
        }
        int agree = 0;
        double maxDiff = 0;
        double[] passes = new double[5];
        try (EdgeClassifier edge = EdgeClassifier.open(onnx, EdgeOptions.builder().intraOpThreads(1).warmupRuns(50).build())) {
            Classification top = edge.newResult(1);
            int k = test.numClasses();
            for (int i = 0; i < n; i++) {
                edge.classify(frames[i], w, h, format, top);
                for (int c = 0; c < k; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(dl4jProbs[i][c] - edge.runner().probability(0, c)));
                }
                if (top.index(0) == Softmax.argmax(dl4jProbs[i], 0, k)) {
                    agree++;
                }
            }
            int timed = Math.max(n, 2000);
            for (int p = 0; p < passes.length; p++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < timed; i++) {
                    edge.classify(frames[i % n], w, h, format, top);
                }
                passes[p] = (System.nanoTime() - t0) / 1e6 / timed;
            }
        }
        double edgeMs = median(passes);

        BatchSource source = new BatchSource(test, norm, io.edgekd.train.network.Dl4jNetworks.inputFormat(net));
        int m = Math.min(n, dl4jFrames);
        INDArray[] singles = new INDArray[m];
        for (int i = 0; i < m; i++) {
            singles[i] = source.features(new int[] {i}, Augmentation.NONE, 0, 0);
        }
        for (int i = 0; i < Math.min(m, 50); i++) {
            net.output(singles[i], false);
        }
        double[] dl4jPasses = new double[3];
        for (int p = 0; p < dl4jPasses.length; p++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                net.output(singles[i], false);
            }
            dl4jPasses[p] = (System.nanoTime() - t0) / 1e6 / m;
        }
        return new EdgeMeasurement(n == 0 ? Double.NaN : agree / (double) n, maxDiff, edgeMs, median(dl4jPasses), n);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
