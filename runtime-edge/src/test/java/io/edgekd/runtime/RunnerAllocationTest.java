package io.edgekd.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady state of {@link EdgeRunner} allocates nothing of its own: heap bytes per frame, read from the
 * thread's allocation counter, stay within a few bytes of what ONNX Runtime's Java binding allocates for one
 * pinned run with a preallocated input (its {@code Result} and small arrays; about 0.4 KB) — the floor,
 * measured in the same test on the same model.
 *
 * <p>ONNX Runtime's own figure moves by about 120 bytes with the JIT's state (416 to 536 bytes were seen for
 * the same call), so the floor and the edgekd paths are measured in interleaved rounds after a common warm-up,
 * and the least round of each is compared: noise only ever adds bytes, and a real allocation per frame adds
 * to every round.
 */
class RunnerAllocationTest {
    private static final int WARMUP = 3_000;
    private static final int FRAMES = 1_000;
    private static final int ROUNDS = 5;
    /** Bytes per frame allowed over the floor: the counter's own reads, amortised; nothing per frame. */
    private static final double SLACK = 16;

    private static final com.sun.management.ThreadMXBean BEAN =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void steadyStateAllocatesNoMoreThanOnnxRuntimesOwnPinnedRun() throws Exception {
        ModelSpec spec = EdgeClassifierTest.colourSpec();
        byte[] model = new TestModels(spec, 31).toBytes();
        ModelSpec fusedSpec = spec.toBuilder().inputForm(InputForm.UINT8_NHWC).inputName("frames").build();
        byte[] fusedModel = new TestModels(fusedSpec, 32).toBytes();
        byte[] frame = new byte[64 * 48 * 3];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 13);
        }
        byte[] exact = new byte[fusedSpec.imageSize()];
        EdgeOptions options = EdgeOptions.builder().intraOpThreads(1).warmupRuns(0).build();
        OrtEnvironment env = OnnxRuntimeEnvironment.get();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, so);
                 OnnxTensor in = OnnxTensor.createTensor(env, direct(spec.imageSize()), spec.inputTensorShape(1));
                 OnnxTensor out = OnnxTensor.createTensor(env, direct(spec.numClasses()), new long[] {1, spec.numClasses()});
                 EdgeClassifier c = EdgeClassifier.open(model, null, options);
                 EdgeRunner batch = c.newRunner(4);
                 EdgeClassifier fused = EdgeClassifier.open(fusedModel, null, options)) {
                Map<String, OnnxTensor> inputs = Map.of(spec.inputName(), in);
                Map<String, OnnxTensor> pinned = Map.of(spec.outputName(), out);
                Classification top = c.newResult(3);
                Classification fusedTop = fused.newResult(1);
                Classification[] results = {c.newResult(2), c.newResult(2), c.newResult(2), c.newResult(2)};
                Runnable[] paths = {
                    () -> {
                        try {
                            session.run(inputs, pinned).close();
                        } catch (OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    () -> c.classify(frame, 64, 48, PixelFormat.BGR24, top),
                    () -> {
                        for (int s = 0; s < 4; s++) {
                            batch.put(s, frame, 0, 64, 48, 64 * 3, PixelFormat.BGR24);
                        }
                        batch.run();
                        for (int s = 0; s < 4; s++) {
                            batch.result(s, results[s]);
                        }
                    },
                    () -> fused.classify(exact, 14, 9, PixelFormat.BGR24, fusedTop),
                    () -> fused.classify(frame, 64, 48, PixelFormat.RGB24, fusedTop),
                };
                double[] bytes = leastBytesPerCall(paths);
                String numbers = String.format(Locale.ROOT, "bytes per call: ONNX Runtime's pinned run %.1f; classify %.1f; "
                                + "batch of 4 (put, run, result) %.1f; fused, copied %.1f; fused, resized %.1f",
                        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]);
                assertTrue(bytes[0] > 0 && bytes[0] < 2048, "the floor is outside the range this test was written for: " + numbers);
                for (int p = 1; p < paths.length; p++) {
                    assertTrue(bytes[p] <= bytes[0] + SLACK, numbers);
                }
            }
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Warms every path up, then measures them in interleaved rounds; the least bytes per call of each. */
    private static double[] leastBytesPerCall(Runnable[] paths) {
        for (Runnable p : paths) {
            for (int i = 0; i < WARMUP; i++) {
                p.run();
            }
        }
        long tid = Thread.currentThread().getId();
        double[] least = new double[paths.length];
        java.util.Arrays.fill(least, Double.MAX_VALUE);
        for (int r = 0; r < ROUNDS; r++) {
            for (int p = 0; p < paths.length; p++) {
                Runnable path = paths[p];
                long before = BEAN.getThreadAllocatedBytes(tid);
                for (int i = 0; i < FRAMES; i++) {
                    path.run();
                }
                least[p] = Math.min(least[p], (double) (BEAN.getThreadAllocatedBytes(tid) - before) / FRAMES);
            }
        }
        return least;
    }
}
