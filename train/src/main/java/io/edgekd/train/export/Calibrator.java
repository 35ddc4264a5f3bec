package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.runtime.OnnxRuntimeEnvironment;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the float32 graph in ONNX Runtime on calibration images with every tensor that {@link QdqQuantizer} quantizes
 * as an extra output, and turns what it sees into clipping thresholds: one pass for each tensor's range and, for
 * the histogram methods, a second for the histogram over that range.
 *
 * <p>Thread safety: stateless.
 */
final class Calibrator {
    /** Images per ONNX Runtime call: large enough to amortise a call, small enough to keep 224-pixel activations in memory. */
    private static final int BATCH = 8;

    private Calibrator() {
    }

    /**
     * @param floatModel the float32 model as exported
     * @param spec       its spec (input form, size, channel order, normalisation)
     * @param frames     the calibration frames, packed HWC in the graph's accepted channel order
     * @param count      how many frames
     * @param options    method and percentile
     * @return threshold of each quantized tensor
     * @throws ExportException if ONNX Runtime cannot run the model
     */
    static Map<String, Float> thresholds(OnnxMl.ModelProto floatModel, ModelSpec spec, byte[] frames, int count, Int8Calibration options)
            throws ExportException {
        List<String> tensors = QdqQuantizer.calibratedTensors(floatModel.getGraph());
        byte[] bytes = QdqQuantizer.withOutputs(floatModel, tensors).toByteArray();
        Map<String, ActivationHistogram> hist = new LinkedHashMap<>();
        for (String t : tensors) {
            hist.put(t, new ActivationHistogram());
        }
        OrtEnvironment env = OnnxRuntimeEnvironment.get();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            try (OrtSession session = env.createSession(bytes, so)) {
                boolean histogram = ActivationHistogram.needsHistogram(options.method());
                for (int pass = 0; pass < (histogram ? 2 : 1); pass++) {
                    for (int from = 0; from < count; from += BATCH) {
                        int n = Math.min(BATCH, count - from);
                        try (OnnxTensor in = input(env, spec, frames, from, n);
                             OrtSession.Result r = session.run(Map.of(spec.inputName(), in), hist.keySet())) {
                            for (Map.Entry<String, OnnxValue> e : r) {
                                FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                                float[] v = new float[fb.remaining()];
                                fb.get(v);
                                ActivationHistogram h = hist.get(e.getKey());
                                if (pass == 0) {
                                    h.observeRange(v, 0, v.length);
                                } else {
                                    h.observeHistogram(v, 0, v.length);
                                }
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new ExportException("calibration: ONNX Runtime cannot run the float32 graph on the calibration images: " + e.getMessage(), e);
        }
        // The image itself (what the first convolution reads) keeps its whole range whatever the method: it is normalised
        // 8-bit pixels, bounded and free of outliers, and far from bell-shaped (Fashion-MNIST is half background), so a
        // percentile or entropy threshold would only clip real bright pixels.
        String image = tensors.isEmpty() ? null : tensors.get(0);
        Map<String, Float> out = new HashMap<>();
        for (Map.Entry<String, ActivationHistogram> e : hist.entrySet()) {
            float t = e.getKey().equals(image) ? Math.max(e.getValue().absMax(), ActivationHistogram.MIN_THRESHOLD)
                    : e.getValue().threshold(options.method(), options.percentile());
            if (!Float.isFinite(t)) {
                throw new ExportException("calibration: expected finite activations, found " + t + " in tensor '" + e.getKey()
                        + "' (the float32 network overflows on the calibration images)");
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** The graph's input for {@code n} frames from {@code first}: raw uint8 NHWC, or normalised float NCHW. */
    private static OnnxTensor input(OrtEnvironment env, ModelSpec spec, byte[] frames, int first, int n) throws OrtException {
        int c = spec.channels();
        int plane = spec.height() * spec.width();
        int frameBytes = plane * c;
        if (spec.inputForm() == InputForm.UINT8_NHWC) {
            ByteBuffer b = ByteBuffer.allocateDirect(n * frameBytes);
            b.put(frames, first * frameBytes, n * frameBytes).flip();
            return OnnxTensor.createTensor(env, b, spec.inputTensorShape(n), OnnxJavaType.UINT8);
        }
        float[] x = new float[n * frameBytes];
        for (int i = 0; i < n; i++) {
            spec.normalization().toPlanar(frames, (first + i) * frameBytes, plane, x, i * frameBytes);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(x), spec.inputTensorShape(n));
    }

    /**
     * @param data  images at the model's size, in the model's channel order
     * @param order for each model channel, the accepted-order channel that holds it
     * @return the images packed HWC in the accepted channel order
     */
    static byte[] frames(ImageDataset data, int[] order) {
        int bytes = data.imageBytes();
        int c = data.channels();
        byte[] image = new byte[bytes];
        byte[] out = new byte[data.size() * bytes];
        for (int i = 0; i < data.size(); i++) {
            data.copyImage(i, image, 0);
            int base = i * bytes;
            for (int p = 0; p < bytes; p += c) {
                for (int k = 0; k < c; k++) {
                    out[base + p + order[k]] = image[p + k];
                }
            }
        }
        return out;
    }
}
