package io.edgekd.train.export;

import io.edgekd.core.classify.Softmax;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import io.edgekd.runtime.InferenceException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Opens an exported model in ONNX Runtime the way a device does ({@link EdgeClassifier}, spec read back from the
 * model's metadata) and compares its probabilities with the DL4J network's on seeded random frames.
 *
 * <p>The frames are random 8-bit pixels in the order the graph accepts (for int8, real images the exporter chose,
 * since an int8 model is only meant to be right on inputs like those it was calibrated on). DL4J gets them as the model was
 * trained: reordered to the model's pixel order and normalised with the same float multiply-add the graph (or
 * the runtime's preprocessor) uses, NCHW or NHWC as the network takes them.
 *
 * <p>Thread safety: stateless; the network must not be used by another thread meanwhile.
 */
final class RuntimeCheck {
    private RuntimeCheck() {
    }

    static ExportResult run(MultiLayerNetwork network, OnnxExporter.Built built, ExportOptions options) throws ExportException {
        ModelSpec spec = built.spec();
        EdgeOptions ort = EdgeOptions.builder().intraOpThreads(1).warmupRuns(1).build();
        try (EdgeClassifier classifier = EdgeClassifier.open(built.bytes(), null, ort)) {
            if (!classifier.spec().equals(spec)) {
                throw new ExportException("metadata: expected the spec to read back unchanged from the exported model, found "
                        + classifier.spec() + " instead of " + spec);
            }
            int frameBytes = spec.imageSize();
            int n = built.checkFrames() != null ? built.checkFrames().length / frameBytes : options.checkSamples();
            double maxDiff = n == 0 ? Double.NaN : compare(network, built, classifier, n, options);
            return new ExportResult(null, built.bytes(), spec, maxDiff, n, built.folded(), built.operators());
        } catch (EdgeModelException e) {
            throw new ExportException("ONNX Runtime cannot open the exported model: " + e.getMessage(), e);
        } catch (InferenceException e) {
            throw new ExportException("ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
        }
    }

    private static double compare(MultiLayerNetwork network, OnnxExporter.Built built, EdgeClassifier classifier, int n,
                                  ExportOptions options) throws ExportException {
        ModelSpec spec = built.spec();
        ModelSpec model = built.original();
        int c = spec.channels();
        int h = spec.height();
        int w = spec.width();
        int plane = h * w;
        int[] order = built.channelOrder();
        byte[] frames = built.checkFrames();
        if (frames == null) {
            SplittableRandom random = new SplittableRandom(options.checkSeed());
            frames = new byte[n * plane * c];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = (byte) random.nextInt(256);
            }
        }
        // DL4J input: the model's channel order, normalised, NCHW (core's kernel, the one the runtime uses).
        float[] dl4j = new float[n * c * plane];
        for (int b = 0; b < n; b++) {
            model.normalization().toPlanar(frames, b * plane * c, plane, order, dl4j, b * c * plane);
        }
        // The runtime's own path: raw frames in the accepted channel order, preprocessed (or, for a fused graph, passed
        // through) by the runtime exactly as on a device, so the check covers the runtime's preprocessing too.
        PixelFormat format = PixelFormat.packed(spec.pixelOrder());
        int frameBytes = plane * c;
        float[] ortOut = new float[n * spec.numClasses()];
        try (EdgeRunner runner = classifier.newRunner(n)) {
            for (int b = 0; b < n; b++) {
                runner.put(b, frames, b * frameBytes, w, h, w * c, format);
            }
            runner.run();
            runner.probabilities().get(0, ortOut);
        } catch (EdgeModelException e) {
            throw new ExportException("ONNX Runtime cannot create tensors for " + n + " check samples: " + e.getMessage(), e);
        }

        INDArray x = Nd4j.create(dl4j, new long[] {n, c, h, w}, 'c');
        if (built.nhwc()) {
            x = x.permute(0, 2, 3, 1).dup('c');
        }
        float[][] expected;
        try {
            expected = network.output(x, false).castTo(DataType.FLOAT).toFloatMatrix();
        } catch (RuntimeException e) {
            throw new ExportException("DL4J cannot run the network on input " + c + "x" + h + "x" + w + " for the check: " + e.getMessage(), e);
        }
        int k = spec.numClasses();
        double maxDiff = 0;
        for (int b = 0; b < n; b++) {
            float[] p = expected[b];
            if (!built.endsInSoftmax()) {
                Softmax.inPlace(p, 0, k);
            }
            int dl4jTop = 0;
            int ortTop = 0;
            for (int j = 0; j < k; j++) {
                float q = ortOut[b * k + j];
                double d = Math.abs(p[j] - q);
                if (!(d <= maxDiff)) {
                    maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                }
                if (p[j] > p[dl4jTop]) {
                    dl4jTop = j;
                }
                if (q > ortOut[b * k + ortTop]) {
                    ortTop = j;
                }
            }
            // A different top class is a failure unless DL4J itself cannot tell the two apart at this tolerance.
            if (dl4jTop != ortTop && p[dl4jTop] - p[ortTop] > options.tolerance()) {
                throw new ExportException(String.format(Locale.ROOT, "check: expected ONNX Runtime to pick DL4J's top class %d "
                                + "(p = %.6f) for sample %d, found class %d (p = %.6f; DL4J gives it %.6f)", dl4jTop, p[dl4jTop], b, ortTop,
                        ortOut[b * k + ortTop], p[ortTop]));
            }
        }
        if (maxDiff > options.tolerance()) {
            throw new ExportException(String.format(Locale.ROOT, "check: expected ONNX Runtime's probabilities within %.1e of "
                    + "DL4J's on %d %s%s, found a max abs difference of %.3e", options.tolerance(), n,
                    built.checkFrames() == null ? "random inputs" : "calibration-set images",
                    spec.precision() == io.edgekd.core.spec.Precision.FLOAT32 ? "" : " (" + spec.precision().key() + " model)", maxDiff));
        }
        return maxDiff;
    }
}
