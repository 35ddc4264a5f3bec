package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 graph of {@link OnnxExporter} to compute in float16 while keeping its float32 (or uint8)
 * input and float32 outputs: every float32 initializer becomes float16 (IEEE 754 binary16, round to nearest even),
 * every {@code Cast} to float32 inside the graph casts to float16 instead, a float32 graph input is cast to float16
 * by a first node and every float32 output is cast back by a last one. Callers see the same tensors as before; a
 * GPU runs the arithmetic at half precision (an ONNX Runtime CPU session inserts casts around the nodes it has no
 * float16 kernel for, so the file also opens, slowly, on a CPU).
 *
 * <p>Thread safety: stateless.
 */
final class Float16Converter {
    private Float16Converter() {
    }

    static OnnxMl.ModelProto convert(OnnxMl.ModelProto model) {
        OnnxMl.GraphProto graph = model.getGraph();
        Set<String> names = new HashSet<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            names.add(t.getName());
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            names.addAll(n.getOutputList());
            names.add(n.getName());
        }
        for (OnnxMl.ValueInfoProto v : graph.getInputList()) {
            names.add(v.getName());
        }
        int f32 = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
        int f16 = OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
        List<OnnxMl.NodeProto> nodes = new ArrayList<>();
        Map<String, String> renamedInputs = new HashMap<>();
        for (OnnxMl.ValueInfoProto in : graph.getInputList()) {
            if (in.getType().getTensorType().getElemType() == f32) {
                String half = fresh(names, in.getName() + "_float16");
                nodes.add(cast(fresh(names, in.getName() + "_to_float16"), in.getName(), half, f16));
                renamedInputs.put(in.getName(), half);
            }
        }
        Map<String, String> renamedOutputs = new HashMap<>();
        for (OnnxMl.ValueInfoProto out : graph.getOutputList()) {
            if (out.getType().getTensorType().getElemType() == f32) {
                renamedOutputs.put(out.getName(), fresh(names, out.getName() + "_float16"));
            }
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            OnnxMl.NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                String r = renamedInputs.getOrDefault(b.getInput(i), renamedOutputs.get(b.getInput(i)));
                if (r != null) {
                    b.setInput(i, r);
                }
            }
            for (int i = 0; i < b.getOutputCount(); i++) {
                String r = renamedOutputs.get(b.getOutput(i));
                if (r != null) {
                    b.setOutput(i, r);
                }
            }
            if (n.getOpType().equals("Cast")) {
                for (int i = 0; i < b.getAttributeCount(); i++) {
                    OnnxMl.AttributeProto a = b.getAttribute(i);
                    if (a.getName().equals("to") && a.getI() == f32) {
                        b.setAttribute(i, a.toBuilder().setI(f16));
                    }
                }
            }
            nodes.add(b.build());
        }
        for (OnnxMl.ValueInfoProto out : graph.getOutputList()) {
            String half = renamedOutputs.get(out.getName());
            if (half != null) {
                nodes.add(cast(fresh(names, out.getName() + "_to_float32"), half, out.getName(), f32));
            }
        }
        OnnxMl.GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            g.addInitializer(t.getDataType() == f32 ? toHalf(t) : t);
        }
        return model.toBuilder().setGraph(g).build();
    }

    private static OnnxMl.TensorProto toHalf(OnnxMl.TensorProto t) {
        float[] v = QdqQuantizer.floats(t);
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(toHalf(f));
        }
        return t.toBuilder().clearFloatData().setDataType(OnnxMl.TensorProto.DataType.FLOAT16_VALUE)
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    /**
     * IEEE 754 binary32 to binary16, rounding to nearest, ties to even; too large becomes infinity, too small zero
     * or a subnormal, NaN stays NaN ({@code Float.floatToFloat16} of Java 20, written out for Java 17).
     */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || rem == mid && (half & 1) != 0) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = e << 10 | mant >>> 13;
        int rem = mant & 0x1FFF;
        // A carry out of the mantissa correctly bumps the exponent (up to infinity).
        if (rem > 0x1000 || rem == 0x1000 && (half & 1) != 0) {
            half++;
        }
        return (short) (sign | half);
    }

    private static OnnxMl.NodeProto cast(String name, String in, String out, int to) {
        return OnnxMl.NodeProto.newBuilder().setOpType("Cast").setName(name).addInput(in).addOutput(out)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(to))
                .build();
    }

    private static String fresh(Set<String> names, String base) {
        String n = base;
        for (int k = 2; !names.add(n); k++) {
            n = base + "_" + k;
        }
        return n;
    }
}
