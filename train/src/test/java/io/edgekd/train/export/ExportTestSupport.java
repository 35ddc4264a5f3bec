package io.edgekd.train.export;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Shared pieces of the export tests: small DL4J networks with every parameter randomised (batch-norm
 * statistics too, whose initial values would make folding trivially right), specs, and an independent
 * parity measurement that runs the exported bytes in a plain ONNX Runtime session and compares both outputs
 * with DL4J.
 */
public final class ExportTestSupport {
    /** Largest accepted absolute difference of a probability. */
    static final double PROB_TOLERANCE = 1e-4;
    /** Largest accepted difference of a logit, relative to max(1, largest |logit|). */
    static final double LOGIT_TOLERANCE = 1e-4;

    private ExportTestSupport() {
    }

    /** @return a configuration builder with float32, He initialisation, no default activation (DL4J's is sigmoid) */
    static NeuralNetConfiguration.Builder base(long seed, ConvolutionMode mode) {
        TrainingBackend.init();
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.RELU)
                .activation(Activation.IDENTITY).convolutionMode(mode);
    }

    /** @return an output layer emitting logits, as edgekd's families do */
    static OutputLayer logitsOutput(int classes) {
        return new OutputLayer.Builder(new SoftmaxCrossEntropyLoss()).name("output").nOut(classes).activation(Activation.IDENTITY)
                .weightInit(WeightInit.XAVIER).build();
    }

    /** Finishes, initialises and randomises a network. */
    static MultiLayerNetwork init(NeuralNetConfiguration.ListBuilder list, int c, int h, int w, CNN2DFormat format, long seed) {
        list.setInputType(InputType.convolutional(h, w, c, format));
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        randomize(net, seed);
        return net;
    }

    /**
     * Replaces biases and batch-norm parameters with random values (weights keep their random initialisation),
     * so that folding and bias handling are really exercised.
     */
    public static void randomize(MultiLayerNetwork net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer layer : net.getLayers()) {
            for (Map.Entry<String, INDArray> e : new HashMap<>(layer.paramTable()).entrySet()) {
                double lo;
                double hi;
                switch (e.getKey()) {
                    case "b" -> {
                        lo = -0.2;
                        hi = 0.2;
                    }
                    case "gamma" -> {
                        lo = 0.5;
                        hi = 1.5;
                    }
                    case "beta", "mean" -> {
                        lo = -0.3;
                        hi = 0.3;
                    }
                    case "log10stdev" -> {
                        lo = -0.4;
                        hi = 0.2;
                    }
                    case "var" -> {
                        lo = 0.3;
                        hi = 2.0;
                    }
                    default -> {
                        continue;
                    }
                }
                INDArray p = e.getValue();
                float[] v = new float[(int) p.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (lo + (hi - lo) * r.nextDouble());
                }
                layer.setParam(e.getKey(), Nd4j.create(v, p.shape(), 'c').castTo(p.dataType()));
            }
        }
    }

    /** @return a spec with labels c0..c(k-1) and a non-trivial normalisation */
    public static ModelSpec spec(int c, int h, int w, int classes) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            labels.add("c" + i);
        }
        Normalization norm = c == 3
                ? Normalization.of(Normalization.UNIT_SCALE, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})
                : Normalization.uniform(1, 0.286f, 0.353f);
        return ModelSpec.builder().labels(labels).input(c, h, w).normalization(norm).role(ModelRole.STUDENT)
                .provenance("seed", "7").build();
    }

    /**
     * How closely an exported graph matches the network.
     *
     * @param maxProbDiff      largest |p_ort - p_dl4j|
     * @param maxLogitDiff     largest |z_ort - z_dl4j| / max(1, max |z|), NaN without a logits output
     * @param argmaxMismatches samples whose top class differs
     * @param exporterDiff     what the exporter's own check reported
     */
    record Parity(double maxProbDiff, double maxLogitDiff, int argmaxMismatches, double exporterDiff) {
        String describe() {
            return String.format(Locale.ROOT, "max |dp| %.2e, max rel |dz| %.2e, argmax mismatches %d (exporter's check %.2e)",
                    maxProbDiff, maxLogitDiff, argmaxMismatches, exporterDiff);
        }
    }

    /** Runs ONNX Runtime on float NCHW input and returns every output by name. */
    static Map<String, float[]> runFloat(byte[] model, String input, float[] x, long... shape) throws OrtException {
        OrtEnvironment env = io.edgekd.runtime.OnnxRuntimeEnvironment.get();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape)) {
            return outputs(s, Map.of(input, t));
        }
    }

    /** Runs ONNX Runtime on uint8 NHWC input and returns every output by name. */
    static Map<String, float[]> runBytes(byte[] model, String input, byte[] x, long... shape) throws OrtException {
        OrtEnvironment env = io.edgekd.runtime.OnnxRuntimeEnvironment.get();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, ByteBuffer.wrap(x), shape, OnnxJavaType.UINT8)) {
            return outputs(s, Map.of(input, t));
        }
    }

    private static Map<String, float[]> outputs(OrtSession s, Map<String, OnnxTensor> in) throws OrtException {
        Map<String, float[]> out = new HashMap<>();
        try (OrtSession.Result r = s.run(in)) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] a = new float[fb.remaining()];
                fb.get(a);
                out.put(e.getKey(), a);
            }
        }
        return out;
    }

    /** DL4J's output for NCHW input (permuted for NHWC networks), as doubles [n][k]. */
    static double[][] dl4j(MultiLayerNetwork net, float[] x, boolean nhwc, long... shape) {
        INDArray in = Nd4j.create(x, shape, 'c');
        if (nhwc) {
            in = in.permute(0, 2, 3, 1).dup('c');
        }
        return net.output(in, false).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < z.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    static int argmax(double[] a) {
        int best = 0;
        for (int j = 1; j < a.length; j++) {
            if (a[j] > a[best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Exports with {@code options} plus a logits output, then measures the exported bytes independently of the
     * exporter: random float inputs through a plain ONNX Runtime session against DL4J.
     *
     * @param endsInSoftmax whether the DL4J network's own output is already probabilities
     */
    static Parity parity(MultiLayerNetwork net, ModelSpec spec, ExportOptions options, boolean nhwc, boolean endsInSoftmax,
                         int samples, long seed) throws Exception {
        ExportResult r = new OnnxExporter(options.toBuilder().logits(true).build()).toBytes(net, spec);
        int c = spec.channels();
        int h = spec.height();
        int w = spec.width();
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[samples * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 4 - 2);
        }
        Map<String, float[]> ort = runFloat(r.modelBytes(), spec.inputName(), x, samples, c, h, w);
        double[][] out = dl4j(net, x, nhwc, samples, c, h, w);
        float[] probs = ort.get(spec.outputName());
        float[] logits = ort.get(ExportOptions.LOGITS_NAME);
        int k = spec.numClasses();
        double maxProb = 0;
        double maxLogit = endsInSoftmax ? Double.NaN : 0;
        int mismatches = 0;
        for (int b = 0; b < samples; b++) {
            double[] p = endsInSoftmax ? out[b] : softmax(out[b]);
            double[] q = new double[k];
            double scale = 1;
            for (int j = 0; j < k; j++) {
                q[j] = probs[b * k + j];
                maxProb = Math.max(maxProb, Math.abs(p[j] - q[j]));
                scale = Math.max(scale, Math.abs(out[b][j]));
            }
            if (!endsInSoftmax) {
                for (int j = 0; j < k; j++) {
                    maxLogit = Math.max(maxLogit, Math.abs(out[b][j] - logits[b * k + j]) / scale);
                }
            }
            if (argmax(p) != argmax(q)) {
                mismatches++;
            }
        }
        return new Parity(maxProb, maxLogit, mismatches, r.maxAbsDiff());
    }
}
