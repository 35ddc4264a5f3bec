package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph under construction: owns the tensor and node names (every name unique, readable, derived from
 * the DL4J layer it comes from), the initializers and the nodes, and checks each node against {@link OnnxOp}.
 *
 * <p>Thread safety: not thread-safe; one graph per export.
 */
final class OnnxGraph {
    /** The name of the dynamic batch dimension on inputs and outputs. */
    static final String BATCH_DIM = "batch";

    /** An attribute of a node. */
    record Attr(String name, OnnxMl.AttributeProto proto) {
        static Attr ints(String name, long... values) {
            OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return new Attr(name, a.build());
        }

        static Attr integer(String name, long value) {
            return new Attr(name, OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build());
        }

        static Attr real(String name, float value) {
            return new Attr(name, OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(value).build());
        }
    }

    private final OnnxMl.GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private final List<String> operators = new ArrayList<>();

    /**
     * @param name     graph name
     * @param reserved names that generated names must not take (the graph's input and output names)
     */
    OnnxGraph(String name, Set<String> reserved) {
        this.graph = OnnxMl.GraphProto.newBuilder().setName(name);
        names.addAll(reserved);
    }

    /** @return a name not yet used, made from {@code base} (letters, digits and underscores only) */
    String fresh(String base) {
        StringBuilder sb = new StringBuilder(base.length());
        for (int i = 0; i < base.length(); i++) {
            char ch = base.charAt(i);
            sb.append(Character.isLetterOrDigit(ch) && ch < 128 ? ch : '_');
        }
        String clean = sb.length() == 0 ? "t" : sb.toString();
        String name = clean;
        for (int k = 2; !names.add(name); k++) {
            name = clean + "_" + k;
        }
        return name;
    }

    /**
     * Adds a float32 initializer.
     *
     * @param base   name base
     * @param values row-major values
     * @param dims   shape; none for a scalar
     * @return the initializer's name
     */
    String floats(String base, float[] values, long... dims) {
        checkCount(base, values.length, dims);
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return initializer(base, OnnxMl.TensorProto.DataType.FLOAT, b.array(), dims);
    }

    /**
     * Adds an int64 initializer.
     *
     * @param base   name base
     * @param values row-major values
     * @param dims   shape
     * @return the initializer's name
     */
    String longs(String base, long[] values, long... dims) {
        checkCount(base, values.length, dims);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return initializer(base, OnnxMl.TensorProto.DataType.INT64, b.array(), dims);
    }

    private static void checkCount(String base, int count, long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalStateException(base + ": expected " + n + " values for shape " + java.util.Arrays.toString(dims)
                    + ", found " + count);
        }
    }

    private String initializer(String base, OnnxMl.TensorProto.DataType type, byte[] littleEndian, long[] dims) {
        String name = fresh(base);
        // ONNX stores raw_data little-endian whatever the platform.
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(littleEndian));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /**
     * Adds a node with one output.
     *
     * @param op       the operator
     * @param base     base of the node's and (unless {@code output} is given) its output's name
     * @param output   the output tensor's name, or null to derive one from {@code base}
     * @param inputs   input tensor names
     * @param attrs    attributes
     * @return the output tensor's name
     */
    String node(OnnxOp op, String base, String output, List<String> inputs, Attr... attrs) {
        Set<String> attrNames = new LinkedHashSet<>();
        for (Attr a : attrs) {
            if (!attrNames.add(a.name())) {
                throw new IllegalStateException(op.opType() + ": expected each attribute once, found '" + a.name() + "' twice");
            }
        }
        op.check(inputs.size(), attrNames);
        String out = output != null ? output : fresh(base);
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op.opType()).setName(fresh(base + "_" + op.opType()))
                .addAllInput(inputs).addOutput(out);
        for (Attr a : attrs) {
            n.addAttribute(a.proto());
        }
        graph.addNode(n);
        operators.add(op.opType());
        return out;
    }

    /**
     * Declares a graph input.
     *
     * @param name name
     * @param type element type
     * @param dims shape; a negative entry is the dynamic dimension {@code batch}
     */
    void input(String name, OnnxMl.TensorProto.DataType type, long... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /**
     * Declares a graph output.
     *
     * @param name name of a tensor some node produces
     * @param type element type
     * @param dims shape; a negative entry is the dynamic dimension {@code batch}
     */
    void output(String name, OnnxMl.TensorProto.DataType type, long... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0
                    ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM)
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** @return the op types of the nodes, in the order they were added */
    List<String> operators() {
        return List.copyOf(operators);
    }

    /** @return the graph built so far */
    OnnxMl.GraphProto build() {
        return graph.build();
    }
}
