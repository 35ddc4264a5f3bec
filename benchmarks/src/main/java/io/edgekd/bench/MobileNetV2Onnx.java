package io.edgekd.bench;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgekd.core.spec.ModelSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * A MobileNetV2-shaped reference network (Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear
 * Bottlenecks", Table 2: width 1.0, 224x224x3, ~300 M multiply-accumulates, 3.5 M parameters) written directly as an
 * ONNX graph with the ONNX protobuf classes, with seeded random weights (latency does not depend on what the weights
 * learned). It ties our measured times to published device times of MobileNetV2.
 *
 * <p>Why not through edgekd's exporter: the exporter takes a DL4J {@code MultiLayerNetwork}, a plain chain of
 * layers, and an inverted residual needs a skip connection (an {@code Add} of a block's input and output), which
 * only a {@code ComputationGraph} can express. So the graph is written here the way ONNX Runtime sees an exported
 * network after batch-norm folding: each convolution carries a bias in place of its batch norm, ReLU6 is
 * {@code Clip(0, 6)}, the head is global average pooling, {@code Flatten}, {@code Gemm} and {@code Softmax}, exactly
 * the operators edgekd's exporter emits for the student. Input {@code [1, 3, 224, 224]} float NCHW, output class
 * probabilities; the model's {@link ModelSpec} is written in the metadata, so {@code EdgeClassifier} opens it as
 * it opens an exported student.
 *
 * <p>Thread safety: stateless.
 */
public final class MobileNetV2Onnx {
    /** Bottleneck settings (expansion t, output channels c, repeats n, first stride s), Sandler et al. Table 2. */
    private static final int[][] BOTTLENECKS = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    private static final int STEM = 32;
    private static final int LAST = 1280;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("mobilenetv2");
    private final SplittableRandom random;
    private long macs;
    private long params;
    private int h;
    private int w;
    private int nodes;

    private MobileNetV2Onnx(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * @param spec its contract: float NCHW input (3 channels; the size may differ from 224 for tests), labels
     * @param seed weight seed
     * @return the model and its cost
     */
    public static Built build(ModelSpec spec, long seed) {
        if (spec.channels() != 3) {
            throw new IllegalArgumentException("MobileNetV2: expected 3 input channels, found " + spec.channels());
        }
        MobileNetV2Onnx b = new MobileNetV2Onnx(seed);
        return b.assemble(spec);
    }

    /**
     * @param bytes  the serialized ONNX model
     * @param macs   multiply-accumulates per image, counted as for the student (convolutions and the classifier)
     * @param params weights and biases
     */
    public record Built(byte[] bytes, long macs, long params) {
    }

    private Built assemble(ModelSpec spec) {
        int k = spec.numClasses();
        graph.addInput(valueInfo(spec.inputName(), 1, 3, spec.height(), spec.width()));
        graph.addInitializer(scalar("relu6_min", 0f));
        graph.addInitializer(scalar("relu6_max", 6f));
        h = spec.height();
        w = spec.width();
        String x = conv(spec.inputName(), 3, STEM, 3, 2, 1, true);
        int in = STEM;
        for (int[] b : BOTTLENECKS) {
            int t = b[0];
            int c = b[1];
            for (int i = 0; i < b[2]; i++) {
                int stride = i == 0 ? b[3] : 1;
                String blockIn = x;
                String y = t == 1 ? x : conv(x, in, in * t, 1, 1, 1, true);
                y = conv(y, in * t, in * t, 3, stride, in * t, true);
                y = conv(y, in * t, c, 1, 1, 1, false);
                if (stride == 1 && in == c) {
                    String sum = "n" + (nodes++);
                    graph.addNode(node("Add", sum, blockIn, y));
                    y = sum;
                }
                x = y;
                in = c;
            }
        }
        x = conv(x, in, LAST, 1, 1, 1, true);
        graph.addNode(node("GlobalAveragePool", "gap", x));
        graph.addNode(node("Flatten", "flat", "gap").toBuilder().addAttribute(intAttr("axis", 1)).build());
        graph.addInitializer(tensor("fc_w", he(LAST * k, LAST), LAST, k));
        graph.addInitializer(tensor("fc_b", new float[k], k));
        macs += (long) LAST * k;
        params += (long) LAST * k + k;
        graph.addNode(node("Gemm", "logits", "flat", "fc_w", "fc_b"));
        graph.addNode(node("Softmax", spec.outputName(), "logits").toBuilder().addAttribute(intAttr("axis", 1)).build());
        graph.addOutput(valueInfo(spec.outputName(), 1, k));
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setProducerName("edgekd-benchmarks")
                .setDocString("MobileNetV2-shaped reference (Sandler et al. 2018), width 1.0, random weights")
                .setGraph(graph);
        spec.toMetadata().forEach((key, value) ->
                m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return new Built(m.build().toByteArray(), macs, params);
    }

    /** Conv (+ bias standing for a folded batch norm) (+ ReLU6); SAME padding as DL4J's and TensorFlow's. */
    private String conv(String x, int in, int out, int kernel, int stride, int groups, boolean relu6) {
        String id = "n" + (nodes++);
        int fanIn = in / groups * kernel * kernel;
        graph.addInitializer(tensor(id + "_w", he(out * fanIn, fanIn), out, in / groups, kernel, kernel));
        graph.addInitializer(tensor(id + "_b", small(out), out));
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        long[] pads = samePads(h, w, kernel, stride);
        macs += (long) oh * ow * out * fanIn;
        params += (long) out * fanIn + out;
        h = oh;
        w = ow;
        OnnxMl.NodeProto.Builder n = node("Conv", id, x, id + "_w", id + "_b").toBuilder()
                .addAttribute(intsAttr("kernel_shape", kernel, kernel))
                .addAttribute(intsAttr("strides", stride, stride))
                .addAttribute(intsAttr("pads", pads))
                .addAttribute(intAttr("group", groups));
        graph.addNode(n);
        if (!relu6) {
            return id;
        }
        String act = id + "_relu6";
        graph.addNode(node("Clip", act, id, "relu6_min", "relu6_max"));
        return act;
    }

    private static long[] samePads(int h, int w, int kernel, int stride) {
        int ph = Math.max(0, ((h + stride - 1) / stride - 1) * stride + kernel - h);
        int pw = Math.max(0, ((w + stride - 1) / stride - 1) * stride + kernel - w);
        return new long[] {ph / 2, pw / 2, ph - ph / 2, pw - pw / 2};
    }

    /** He-normal weights (He et al. 2015), so that activations stay in ReLU6's range rather than vanish or saturate. */
    private float[] he(int n, int fanIn) {
        float[] a = new float[n];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < n; i++) {
            a[i] = (float) (nextGaussian() * std);
        }
        return a;
    }

    private float[] small(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((random.nextDouble() - 0.5) * 0.2);
        }
        return a;
    }

    private double nextGaussian() {
        // Box-Muller: SplittableRandom has no nextGaussian on JDK 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static OnnxMl.NodeProto node(String op, String output, String... inputs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        return n.build();
    }

    private static OnnxMl.AttributeProto intAttr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static OnnxMl.AttributeProto intsAttr(String name, long... v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto scalar(String name, float v) {
        return tensor(name, new float[] {v});
    }

    private static OnnxMl.TensorProto tensor(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
