package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgekd.core.spec.Calibration;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 graph of {@link OnnxExporter} into the QDQ form of static int8 quantization:
 * <ul>
 *   <li>every {@code Conv} and {@code Gemm} weight becomes an int8 initializer with one scale per output channel,
 *       {@code s_o = max|W_o| / 127}, zero point 0 (left out, its default), read through {@code DequantizeLinear} (axis 0 for Conv's
 *       {@code [O, I, kH, kW]}, axis 1 for Gemm's {@code [K, N]});</li>
 *   <li>every bias becomes int32 at scale {@code s_x · s_o} (the scale of the integer accumulator), zero point 0, so
 *       that a runtime can add it to the int32 sums before rescaling;</li>
 *   <li>the input of every Conv and Gemm and the output of every Conv (the activations a runtime keeps in int8) pass
 *       through {@code QuantizeLinear → DequantizeLinear} with a symmetric int8 scale {@code T / 127} from
 *       calibration and zero point 0;</li>
 *   <li>a Relu or ReLU6 ({@code Clip(0, 6)}) whose output is quantized becomes {@code LeakyRelu(alpha = 0)}, the same
 *       function in front of a symmetric QuantizeLinear, which ONNX Runtime runs on int8 (see {@link #rectifier});</li>
 *   <li>everything else (pooling, the last rectifier before global pooling, batch norms that were not folded, Softmax,
 *       preprocessing) stays float between a DequantizeLinear and the next QuantizeLinear: a runtime runs what it can
 *       in int8 and the rest exactly as before. The Gemm's output stays float, so the logits keep float resolution
 *       before Softmax.</li>
 * </ul>
 * Zero points are all 0 and values symmetric, the form TensorRT requires for explicit quantization and the S8S8
 * QDQ form ONNX Runtime fuses into its int8 kernels (QLinearConv and friends) on x86 and ARM. The formulas are
 * those of Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only
 * Inference" (eqs. 1-7), with zero points fixed at 0.
 *
 * <p>{@link Calibration.Activations#UNSIGNED} is the other encoding, for ONNX Runtime's CPU provider only: uint8
 * activations with zero points (see {@link #quantize(OnnxMl.ModelProto, Map, Calibration.Activations)}), rectifiers
 * kept as they are so that ONNX Runtime folds each into the convolution before it.
 *
 * <p>Thread safety: stateless.
 */
final class QdqQuantizer {
    /** Largest magnitude of the symmetric int8 grid: values map to [-127, 127] (TensorRT's restricted range). */
    static final int QMAX = 127;

    private QdqQuantizer() {
    }

    /** @return the activations calibration must measure: input 0 of every Conv and Gemm, and every Conv's output */
    static List<String> calibratedTensors(OnnxMl.GraphProto graph) {
        Set<String> out = new LinkedHashSet<>();
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Conv")) {
                out.add(n.getInput(0));
                out.add(n.getOutput(0));
            } else if (n.getOpType().equals("Gemm")) {
                out.add(n.getInput(0));
            }
        }
        return List.copyOf(out);
    }

    /** @return the model with each of {@code tensors} also a graph output (float, shape left to the runtime) */
    static OnnxMl.ModelProto withOutputs(OnnxMl.ModelProto model, List<String> tensors) {
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> existing = new HashSet<>();
        for (OnnxMl.ValueInfoProto o : g.getOutputList()) {
            existing.add(o.getName());
        }
        for (String t : tensors) {
            if (existing.add(t)) {
                g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(t).setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * @param model      the float32 model
     * @param thresholds clipping threshold of every tensor {@link #calibratedTensors} names
     * @return the QDQ model, metadata untouched
     */
    static OnnxMl.ModelProto quantize(OnnxMl.ModelProto model, Map<String, Float> thresholds) {
        return quantize(model, thresholds, Calibration.Activations.SYMMETRIC);
    }

    /**
     * @param model       the float32 model
     * @param thresholds  clipping threshold of every tensor {@link #calibratedTensors} names
     * @param activations how activations are encoded: {@link Calibration.Activations#SYMMETRIC} as described above, or
     *                    {@link Calibration.Activations#UNSIGNED}: uint8, a rectifier's output on {@code [0, T]} (scale
     *                    {@code T / 255}, zero point 0) with the rectifier kept as it is and the convolution output before
     *                    it left unquantized, so that ONNX Runtime folds the rectifier into the quantization and the
     *                    convolution, rectifier and quantization into one QLinearConv; every other activation on
     *                    {@code [-T, T]} (scale {@code T / 127}, zero point 128)
     * @return the QDQ model, metadata untouched
     */
    static OnnxMl.ModelProto quantize(OnnxMl.ModelProto model, Map<String, Float> thresholds, Calibration.Activations activations) {
        OnnxMl.GraphProto graph = model.getGraph();
        Map<String, OnnxMl.TensorProto> inits = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            inits.put(t.getName(), t);
            names.add(t.getName());
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            names.addAll(n.getOutputList());
            names.add(n.getName());
        }
        for (OnnxMl.ValueInfoProto v : graph.getInputList()) {
            names.add(v.getName());
        }
        Rewriter r = new Rewriter(names);
        Set<String> replacedInits = new HashSet<>();
        Map<String, String> dequantized = new HashMap<>();
        Map<String, Float> scales = new HashMap<>();
        for (String t : calibratedTensors(graph)) {
            Float th = thresholds.get(t);
            if (th == null || !(th > 0) || !Float.isFinite(th)) {
                throw new IllegalStateException("quantize: expected a positive finite threshold for '" + t + "', found " + th);
            }
            scales.put(t, th / QMAX);
        }
        boolean unsigned = activations == Calibration.Activations.UNSIGNED;
        // Unsigned: which tensors are rectifier outputs on [0, T], and which convolution outputs feed only such a rectifier
        // (left float: ONNX Runtime fuses the convolution, the rectifier and the quantization after it).
        Set<String> rectified = new HashSet<>();
        Set<String> fused = new HashSet<>();
        if (unsigned) {
            Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
            for (OnnxMl.NodeProto n : graph.getNodeList()) {
                for (String in : n.getInputList()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
                if (isRectifier(n, scales, inits)) {
                    rectified.add(n.getOutput(0));
                }
            }
            Set<String> graphOutputs = new HashSet<>();
            for (OnnxMl.ValueInfoProto o : graph.getOutputList()) {
                graphOutputs.add(o.getName());
            }
            for (OnnxMl.NodeProto n : graph.getNodeList()) {
                List<OnnxMl.NodeProto> c = consumers.getOrDefault(n.getOutput(0), List.of());
                if (n.getOpType().equals("Conv") && c.size() == 1 && rectified.contains(c.get(0).getOutput(0))
                        && !graphOutputs.contains(n.getOutput(0))) {
                    fused.add(n.getOutput(0));
                }
            }
        }
        // The scale each quantized tensor was given (a bias is quantized at its input's scale times the weight's).
        Map<String, Float> used = new HashMap<>();
        List<OnnxMl.NodeProto> nodes = new ArrayList<>();
        // Graph inputs that feed a convolution directly are quantized before the first node.
        for (OnnxMl.ValueInfoProto in : graph.getInputList()) {
            if (scales.containsKey(in.getName())) {
                dequantized.put(in.getName(), r.qdq(in.getName(), thresholds.get(in.getName()), encoding(unsigned, false), used, nodes));
            }
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            OnnxMl.NodeProto.Builder b = unsigned ? n.toBuilder() : rectifier(n, scales, inits);
            for (int i = 0; i < b.getInputCount(); i++) {
                String d = dequantized.get(b.getInput(i));
                if (d != null) {
                    b.setInput(i, d);
                }
            }
            boolean conv = n.getOpType().equals("Conv");
            boolean gemm = n.getOpType().equals("Gemm");
            if (conv || gemm) {
                float inScale = used.get(n.getInput(0));
                OnnxMl.TensorProto w = inits.get(n.getInput(1));
                if (w == null || w.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
                    throw new IllegalStateException(n.getName() + ": expected a float32 weight initializer, found " + n.getInput(1));
                }
                if (gemm && (attribute(n, "transB") != 0 || attribute(n, "transA") != 0)) {
                    throw new IllegalStateException(n.getName() + ": expected Gemm without transposes, found transA/transB set");
                }
                int axis = conv ? 0 : 1;
                float[] wv = floats(w);
                long[] dims = dims(w);
                int channels = (int) dims[axis];
                float[] wScale = perChannelScales(wv, dims, axis);
                // ONNX Runtime 1.29 fuses a Gemm into QGemm only when its weight and bias DQs carry explicit zero points; a
                // Conv fuses without them. The Gemm's are kept (a few bytes), the Conv's left out.
                b.setInput(1, r.dequantizedInitializer(w.getName(), quantizeWeights(wv, dims, axis, wScale), dims, wScale, axis, gemm, nodes));
                replacedInits.add(w.getName());
                if (b.getInputCount() > 2) {
                    OnnxMl.TensorProto bias = inits.get(n.getInput(2));
                    float[] bv = floats(bias);
                    float[] bScale = new float[channels];
                    int[] bq = new int[channels];
                    for (int o = 0; o < channels; o++) {
                        bScale[o] = inScale * wScale[o];
                        bq[o] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(bv[o] / (double) bScale[o])));
                    }
                    b.setInput(2, r.dequantizedBias(bias.getName(), bq, bScale, gemm, nodes));
                    replacedInits.add(bias.getName());
                }
            }
            nodes.add(b.build());
            // Each measured tensor is quantized right after the node that makes it, so every consumer reads the int8 value.
            for (String out : n.getOutputList()) {
                if (scales.containsKey(out) && !dequantized.containsKey(out) && !fused.contains(out)) {
                    dequantized.put(out, r.qdq(out, thresholds.get(out), encoding(unsigned, rectified.contains(out)), used, nodes));
                }
            }
        }
        OnnxMl.GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            if (!replacedInits.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        g.addAllInitializer(r.initializers);
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * A Relu, or a Clip from 0 to at least the quantized output's threshold (ReLU6 under a threshold of at most 6), whose
     * output is quantized becomes {@code LeakyRelu(alpha = 0)}: followed by a symmetric QuantizeLinear the three are the
     * same function (the Q saturates at the threshold, so Clip's upper bound adds nothing), and ONNX Runtime runs
     * {@code DequantizeLinear → LeakyRelu → QuantizeLinear} as one int8 table lookup (QLinearLeakyRelu) where it runs
     * a Relu or Clip between them in float. Without this a symmetric int8 student is slower than its float32 twin on
     * ONNX Runtime's CPU provider. Any other node is returned unchanged.
     */
    private static OnnxMl.NodeProto.Builder rectifier(OnnxMl.NodeProto n, Map<String, Float> scales, Map<String, OnnxMl.TensorProto> inits) {
        if (!isRectifier(n, scales, inits)) {
            return n.toBuilder();
        }
        return OnnxMl.NodeProto.newBuilder().setOpType("LeakyRelu").setName(n.getName()).addInput(n.getInput(0)).addOutput(n.getOutput(0))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("alpha").setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(0f));
    }

    /**
     * @return whether {@code n} is a Relu, or a Clip from 0 to at least its output's threshold, whose output is quantized:
     *         on {@code [0, T]} the quantization alone computes it
     */
    private static boolean isRectifier(OnnxMl.NodeProto n, Map<String, Float> scales, Map<String, OnnxMl.TensorProto> inits) {
        Float scale = scales.get(n.getOutput(0));
        if (scale == null) {
            return false;
        }
        boolean relu = n.getOpType().equals("Relu");
        boolean clip = n.getOpType().equals("Clip") && n.getInputCount() == 3 && scalar(inits.get(n.getInput(1))) == 0f
                && scalar(inits.get(n.getInput(2))) >= scale * QMAX * (1 - 1e-6f);
        return relu || clip;
    }

    /** How one activation is stored in 8 bits. */
    private enum Encoding {
        /** int8, zero point 0, {@code [-T, T]} on {@code [-127, 127]}. */
        SIGNED(OnnxMl.TensorProto.DataType.INT8, (byte) 0, QMAX),
        /** uint8, zero point 128, {@code [-T, T]} on {@code [1, 255]}. */
        OFFSET(OnnxMl.TensorProto.DataType.UINT8, (byte) 128, QMAX),
        /** uint8, zero point 0, {@code [0, T]} on {@code [0, 255]}: a rectifier's output. */
        POSITIVE(OnnxMl.TensorProto.DataType.UINT8, (byte) 0, 255);

        final OnnxMl.TensorProto.DataType type;
        final byte zeroPoint;
        final int levels;

        Encoding(OnnxMl.TensorProto.DataType type, byte zeroPoint, int levels) {
            this.type = type;
            this.zeroPoint = zeroPoint;
            this.levels = levels;
        }
    }

    private static Encoding encoding(boolean unsigned, boolean rectified) {
        return !unsigned ? Encoding.SIGNED : rectified ? Encoding.POSITIVE : Encoding.OFFSET;
    }

    /** @return the value of a one-element float initializer, or NaN */
    private static float scalar(OnnxMl.TensorProto t) {
        if (t == null || t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
            return Float.NaN;
        }
        float[] v = floats(t);
        return v.length == 1 ? v[0] : Float.NaN;
    }

    /** Symmetric per-channel weight scales {@code max|W_c| / 127}; 1 for a channel of zeros (any scale is exact there). */
    static float[] perChannelScales(float[] w, long[] dims, int axis) {
        int channels = (int) dims[axis];
        float[] max = new float[channels];
        Layout l = new Layout(dims, axis);
        for (int i = 0; i < w.length; i++) {
            int c = l.channel(i);
            max[c] = Math.max(max[c], Math.abs(w[i]));
        }
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = max[c] > 0 ? max[c] / QMAX : 1f;
        }
        return s;
    }

    static byte[] quantizeWeights(float[] w, long[] dims, int axis, float[] scale) {
        Layout l = new Layout(dims, axis);
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = (byte) saturate(Math.rint(w[i] / scale[l.channel(i)]));
        }
        return q;
    }

    private static int saturate(double v) {
        return (int) Math.max(-QMAX, Math.min(QMAX, v));
    }

    /** Index arithmetic of a row-major tensor: which channel along {@code axis} element {@code i} belongs to. */
    private record Layout(int inner, int channels) {
        Layout(long[] dims, int axis) {
            this(inner(dims, axis), (int) dims[axis]);
        }

        private static int inner(long[] dims, int axis) {
            long n = 1;
            for (int d = axis + 1; d < dims.length; d++) {
                n *= dims[d];
            }
            return (int) n;
        }

        int channel(int i) {
            return (i / inner) % channels;
        }
    }

    private static long attribute(OnnxMl.NodeProto n, String name) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return 0;
    }

    static float[] floats(OnnxMl.TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    static long[] dims(OnnxMl.TensorProto t) {
        long[] d = new long[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDims(i);
        }
        return d;
    }

    /** Emits Q/DQ nodes and their constants under fresh names. */
    private static final class Rewriter {
        private final Set<String> names;
        private final List<OnnxMl.TensorProto> initializers = new ArrayList<>();
        private final Map<Encoding, String> zeroPoints = new java.util.EnumMap<>(Encoding.class);

        Rewriter(Set<String> names) {
            this.names = names;
        }

        String fresh(String base) {
            String n = base;
            for (int k = 2; !names.add(n); k++) {
                n = base + "_" + k;
            }
            return n;
        }

        /**
         * {@code QuantizeLinear → DequantizeLinear} on an activation whose values lie in {@code [-threshold, threshold]}
         * (or {@code [0, threshold]}); records the scale in {@code used} and returns the dequantized tensor's name.
         */
        String qdq(String tensor, float threshold, Encoding e, Map<String, Float> used, List<OnnxMl.NodeProto> nodes) {
            float scale = threshold / e.levels;
            used.put(tensor, scale);
            String s = initializer(fresh(tensor + "_scale"), OnnxMl.TensorProto.DataType.FLOAT, le(4).putFloat(scale).array());
            // The zero point's type is QuantizeLinear's output type (without one it is uint8), so activations always carry one.
            String zp = zeroPoints.computeIfAbsent(e, k -> initializer(fresh(k.type.name().toLowerCase(java.util.Locale.ROOT) + "_zero"),
                    k.type, new byte[] {k.zeroPoint}));
            String q = fresh(tensor + "_q");
            String dq = fresh(tensor + "_dq");
            nodes.add(node("QuantizeLinear", List.of(tensor, s, zp), q, null));
            nodes.add(node("DequantizeLinear", List.of(q, s, zp), dq, null));
            return dq;
        }

        String dequantizedInitializer(String base, byte[] q, long[] dims, float[] scale, int axis, boolean zeroPoint,
                                      List<OnnxMl.NodeProto> nodes) {
            String qName = initializer(fresh(base + "_q"), OnnxMl.TensorProto.DataType.INT8, q, dims);
            String s = floatsInit(fresh(base + "_scale"), scale);
            String dq = fresh(base + "_dq");
            // Without a zero point it defaults to 0 of the input's type (int8 here), which is what a symmetric weight has.
            nodes.add(node("DequantizeLinear", zeroPoint
                    ? List.of(qName, s, initializer(fresh(base + "_zero"), OnnxMl.TensorProto.DataType.INT8, new byte[scale.length], scale.length))
                    : List.of(qName, s), dq, axis));
            return dq;
        }

        String dequantizedBias(String base, int[] q, float[] scale, boolean zeroPoint, List<OnnxMl.NodeProto> nodes) {
            ByteBuffer b = le(4 * q.length);
            for (int v : q) {
                b.putInt(v);
            }
            String qName = initializer(fresh(base + "_q"), OnnxMl.TensorProto.DataType.INT32, b.array(), q.length);
            String s = floatsInit(fresh(base + "_scale"), scale);
            String dq = fresh(base + "_dq");
            nodes.add(node("DequantizeLinear", zeroPoint
                    ? List.of(qName, s, initializer(fresh(base + "_zero"), OnnxMl.TensorProto.DataType.INT32, new byte[4 * q.length], q.length))
                    : List.of(qName, s), dq, 0));
            return dq;
        }

        private String floatsInit(String name, float[] v) {
            ByteBuffer b = le(4 * v.length);
            for (float f : v) {
                b.putFloat(f);
            }
            return initializer(name, OnnxMl.TensorProto.DataType.FLOAT, b.array(), v.length);
        }

        private String initializer(String name, OnnxMl.TensorProto.DataType type, byte[] raw, long... dims) {
            OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                    .setRawData(ByteString.copyFrom(raw));
            for (long d : dims) {
                t.addDims(d);
            }
            initializers.add(t.build());
            return name;
        }

        /** A Q or DQ node. Unnamed (names are optional in ONNX): in a model this small their names would be a tenth of the file. */
        private static OnnxMl.NodeProto node(String op, List<String> inputs, String output, Integer axis) {
            OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addOutput(output);
            if (axis != null) {
                n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setType(OnnxMl.AttributeProto.AttributeType.INT)
                        .setI(axis));
            }
            return n.build();
        }

        private static ByteBuffer le(int bytes) {
            return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
