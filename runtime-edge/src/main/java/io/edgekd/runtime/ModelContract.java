package io.edgekd.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;

import java.util.Arrays;
import java.util.Map;

/**
 * Checks that a session's graph is what its spec says: an image input of the right form and size, and a
 * class-score output with one value per label. Fixed batch sizes are reported so runners can respect them.
 */
final class ModelContract {
    private ModelContract() {
    }

    /**
     * @return the model's fixed batch size, or -1 when the batch dimension is dynamic
     * @throws EdgeModelException naming the tensor, what was expected and what was found
     */
    static int check(OrtSession session, ModelSpec spec, String source) throws EdgeModelException {
        Map<String, NodeInfo> inputs;
        Map<String, NodeInfo> outputs;
        try {
            inputs = session.getInputInfo();
            outputs = session.getOutputInfo();
        } catch (OrtException e) {
            throw new EdgeModelException(source + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
        NodeInfo input = inputs.get(spec.inputName());
        if (input == null) {
            throw new EdgeModelException(source + ": expected an input named '" + spec.inputName() + "' (from the model spec), found inputs "
                    + inputs.keySet());
        }
        if (inputs.size() != 1) {
            throw new EdgeModelException(source + ": expected exactly one input (an image batch), found " + inputs.size() + ": " + inputs.keySet());
        }
        boolean fused = spec.inputForm() == InputForm.UINT8_NHWC;
        TensorInfo in = tensor(input, source);
        OnnxJavaType wantType = fused ? OnnxJavaType.UINT8 : OnnxJavaType.FLOAT;
        long[] shape = in.getShape();
        long[] want = fused
                ? new long[] {spec.batch(), spec.height(), spec.width(), spec.channels()}
                : new long[] {spec.batch(), spec.channels(), spec.height(), spec.width()};
        String layout = fused ? "[N, H, W, C]" : "[N, C, H, W]";
        if (shape.length != 4) {
            throw new EdgeModelException(source + ": input '" + spec.inputName() + "' is not an image tensor: expected rank 4 " + layout
                    + ", found shape " + Arrays.toString(shape));
        }
        if (in.type != wantType) {
            throw new EdgeModelException(source + ": input '" + spec.inputName() + "': expected element type " + wantType + " for "
                    + spec.inputForm().key() + ", found " + in.type);
        }
        for (int i = 1; i < 4; i++) {
            if (shape[i] >= 0 && shape[i] != want[i]) {
                throw new EdgeModelException(source + ": input '" + spec.inputName() + "': expected shape " + layout + " = "
                        + Arrays.toString(want) + " (from the model spec), found " + Arrays.toString(shape));
            }
        }
        int batch = shape[0] > 0 ? (int) shape[0] : -1;
        if (spec.batch() > 0 && batch > 0 && batch != spec.batch()) {
            throw new EdgeModelException(source + ": input '" + spec.inputName() + "': expected batch " + spec.batch()
                    + " (from the model spec), found " + batch);
        }
        if (batch < 0 && spec.batch() > 0) {
            batch = spec.batch();
        }

        NodeInfo output = outputs.get(spec.outputName());
        if (output == null) {
            throw new EdgeModelException(source + ": expected an output named '" + spec.outputName() + "' (from the model spec), found outputs "
                    + outputs.keySet());
        }
        TensorInfo out = tensor(output, source);
        long[] oshape = out.getShape();
        if (out.type != OnnxJavaType.FLOAT || oshape.length != 2) {
            throw new EdgeModelException(source + ": output '" + spec.outputName() + "': expected float scores of shape [N, "
                    + spec.numClasses() + "], found " + out.type + " " + Arrays.toString(oshape));
        }
        if (oshape[1] >= 0 && oshape[1] != spec.numClasses()) {
            throw new EdgeModelException(source + ": output '" + spec.outputName() + "': expected " + spec.numClasses()
                    + " classes (one per label " + spec.labels() + "), found " + oshape[1]);
        }
        return batch;
    }

    private static TensorInfo tensor(NodeInfo node, String source) throws EdgeModelException {
        ValueInfo info = node.getInfo();
        if (!(info instanceof TensorInfo t)) {
            throw new EdgeModelException(source + ": '" + node.getName() + "': expected a tensor, found " + info);
        }
        return t;
    }
}
