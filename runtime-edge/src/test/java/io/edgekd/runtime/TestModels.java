package io.edgekd.runtime;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.OutputKind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small ONNX image classifiers built in the tests (also used by the examples' tests, through the test jar) with the ONNX protobuf classes, and a plain-Java reference
 * of what they compute: Conv 3x3 (pads 1) + bias, Relu, GlobalAveragePool, Flatten, Gemm, Softmax. With fused
 * preprocessing the graph starts with Cast, Mul, Add (per channel, NHWC) and Transpose to NCHW.
 */
public final class TestModels {
    static final int FILTERS = 4;

    final ModelSpec spec;
    final float[] convW;
    final float[] convB;
    final float[] gemmW;
    final float[] gemmB;

    /**
     * @param spec the model's contract
     * @param seed weight seed
     */
    public TestModels(ModelSpec spec, long seed) {
        this.spec = spec;
        SplittableRandom r = new SplittableRandom(seed);
        int c = spec.channels();
        int k = spec.numClasses();
        convW = random(r, FILTERS * c * 9, 0.5);
        convB = random(r, FILTERS, 0.1);
        gemmW = random(r, FILTERS * k, 2.0);
        gemmB = random(r, k, 0.2);
    }

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /** Reference forward pass of one preprocessed image {@code [C, H, W]}: class probabilities. */
    double[] reference(float[] x) {
        int c = spec.channels();
        int h = spec.height();
        int w = spec.width();
        double[] pooled = new double[FILTERS];
        for (int o = 0; o < FILTERS; o++) {
            double sum = 0;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = convB[o];
                    for (int ci = 0; ci < c; ci++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int sy = y + ky - 1;
                                int sx = xx + kx - 1;
                                if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                                    v += convW[((o * c + ci) * 3 + ky) * 3 + kx] * x[(ci * h + sy) * w + sx];
                                }
                            }
                        }
                    }
                    sum += Math.max(0, v);
                }
            }
            pooled[o] = sum / (h * w);
        }
        int k = spec.numClasses();
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double v = gemmB[j];
            for (int o = 0; o < FILTERS; o++) {
                v += pooled[o] * gemmW[o * k + j];
            }
            logits[j] = v;
            max = Math.max(max, v);
        }
        double z = 0;
        for (int j = 0; j < k; j++) {
            logits[j] = Math.exp(logits[j] - max);
            z += logits[j];
        }
        for (int j = 0; j < k; j++) {
            logits[j] /= z;
        }
        return logits;
    }

    byte[] toBytes() {
        return model(true).toByteArray();
    }

    byte[] toBytesWithoutMetadata() {
        return model(false).toByteArray();
    }

    /**
     * @param dir  folder
     * @param name file name
     * @return the written model, with its spec in the metadata
     * @throws IOException if it cannot be written
     */
    public Path write(Path dir, String name) throws IOException {
        return Files.write(dir.resolve(name), toBytes());
    }

    OnnxMl.ModelProto model(boolean withMetadata) {
        int c = spec.channels();
        int k = spec.numClasses();
        boolean fused = spec.inputForm() == InputForm.UINT8_NHWC;
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("edgekd_test");
        String x = spec.inputName();
        if (fused) {
            g.addInput(valueInfo(x, OnnxMl.TensorProto.DataType.UINT8, spec.batch(), spec.height(), spec.width(), c));
            float[] mul = new float[c];
            float[] add = new float[c];
            for (int i = 0; i < c; i++) {
                mul[i] = spec.normalization().multiplier(i);
                add[i] = spec.normalization().offset(i);
            }
            g.addInitializer(floats("pre_mul", mul, c));
            g.addInitializer(floats("pre_add", add, c));
            g.addNode(node("Cast", new String[] {x}, "x_f", Map.of("to", (long) OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
            g.addNode(node("Mul", new String[] {"x_f", "pre_mul"}, "x_m", Map.of()));
            g.addNode(node("Add", new String[] {"x_m", "pre_add"}, "x_n", Map.of()));
            g.addNode(node("Transpose", new String[] {"x_n"}, "x_nchw", Map.of("perm", new long[] {0, 3, 1, 2})));
            x = "x_nchw";
        } else {
            g.addInput(valueInfo(x, OnnxMl.TensorProto.DataType.FLOAT, spec.batch(), c, spec.height(), spec.width()));
        }
        g.addInitializer(floats("conv_w", convW, FILTERS, c, 3, 3));
        g.addInitializer(floats("conv_b", convB, FILTERS));
        g.addInitializer(floats("fc_w", gemmW, FILTERS, k));
        g.addInitializer(floats("fc_b", gemmB, k));
        g.addNode(node("Conv", new String[] {x, "conv_w", "conv_b"}, "conv", Map.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1})));
        g.addNode(node("Relu", new String[] {"conv"}, "relu", Map.of()));
        g.addNode(node("GlobalAveragePool", new String[] {"relu"}, "gap", Map.of()));
        g.addNode(node("Flatten", new String[] {"gap"}, "flat", Map.of("axis", 1L)));
        boolean logitsOnly = spec.outputKind() == OutputKind.LOGITS;
        String logitsName = logitsOnly ? spec.outputName() : (spec.logitsName() != null ? spec.logitsName() : "logits_internal");
        g.addNode(node("Gemm", new String[] {"flat", "fc_w", "fc_b"}, logitsName, Map.of()));
        if (logitsOnly) {
            g.addOutput(valueInfo(spec.outputName(), OnnxMl.TensorProto.DataType.FLOAT, spec.batch(), k));
        } else {
            g.addNode(node("Softmax", new String[] {logitsName}, spec.outputName(), Map.of("axis", 1L)));
            g.addOutput(valueInfo(spec.outputName(), OnnxMl.TensorProto.DataType.FLOAT, spec.batch(), k));
            if (spec.logitsName() != null) {
                g.addOutput(valueInfo(spec.logitsName(), OnnxMl.TensorProto.DataType.FLOAT, spec.batch(), k));
            }
        }
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setProducerName("edgekd-test")
                .setGraph(g);
        if (withMetadata) {
            spec.toMetadata().forEach((key, value) ->
                    m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        }
        return m.build();
    }

    static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0
                    ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    static OnnxMl.TensorProto floats(String name, float[] values, long... dims) {
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

    static OnnxMl.NodeProto node(String op, String[] inputs, String output, Map<String, Object> attributes) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        attributes.forEach((name, v) -> {
            OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
            if (v instanceof Long l) {
                a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
            } else if (v instanceof long[] ls) {
                a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
                for (long e : ls) {
                    a.addInts(e);
                }
            } else {
                throw new IllegalArgumentException("attribute type " + v.getClass());
            }
            n.addAttribute(a);
        });
        return n.build();
    }
}
