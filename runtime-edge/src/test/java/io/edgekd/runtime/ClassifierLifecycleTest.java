package io.edgekd.runtime;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening that fails half-way, closing from several threads, and closing while runs are in flight. */
class ClassifierLifecycleTest {
    @TempDir
    Path dir;

    /**
     * A graph that matches {@link EdgeClassifierTest#graySpec()} (input [N, 1, 12, 10], output [N, 3]) and opens,
     * but whose Gather reads index 500 of a 120-value row: every run fails.
     */
    static byte[] modelThatFailsToRun() {
        ByteBuffer idx = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(1).putLong(500);
        OnnxMl.TensorProto indices = OnnxMl.TensorProto.newBuilder().setName("idx")
                .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber()).addDims(3)
                .setRawData(ByteString.copyFrom(idx.array())).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("fails")
                .addInput(TestModels.valueInfo("input", OnnxMl.TensorProto.DataType.FLOAT, -1, 1, 12, 10))
                .addInitializer(indices)
                .addNode(TestModels.node("Flatten", new String[] {"input"}, "flat", Map.of("axis", 1L)))
                .addNode(TestModels.node("Gather", new String[] {"flat", "idx"}, "probabilities", Map.of("axis", 1L)))
                .addOutput(TestModels.valueInfo("probabilities", OnnxMl.TensorProto.DataType.FLOAT, -1, 3));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build().toByteArray();
    }

    @Test
    void failedWarmUpFreesTheBuiltInRunnersTensors() throws Exception {
        ModelSpec spec = EdgeClassifierTest.graySpec();
        byte[] model = modelThatFailsToRun();
        int before = EdgeRunner.openRunners();
        EdgeModelException e = assertThrows(EdgeModelException.class,
                () -> EdgeClassifier.open(model, spec, EdgeOptions.builder().warmupRuns(1).build()));
        assertTrue(e.getMessage().contains("could not run on a blank frame"), e.getMessage());
        assertEquals(before, EdgeRunner.openRunners(), "runners whose tensors were never closed");
        // Without warm-up it opens, and the failure shows on the first frame instead.
        try (EdgeClassifier c = EdgeClassifier.open(model, spec, EdgeOptions.builder().warmupRuns(0).build())) {
            assertThrows(InferenceException.class, () -> c.classify(new byte[120], 10, 12, PixelFormat.GRAY8, c.newResult(1)));
        }
        assertEquals(before, EdgeRunner.openRunners());
    }

    @Test
    void concurrentClosersCloseOnceAndAllReturnClosed() throws Exception {
        byte[] model = new TestModels(EdgeClassifierTest.graySpec(), 3).toBytes();
        int threads = 4;
        int before = EdgeRunner.openRunners();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 60; round++) {
                EdgeClassifier c = EdgeClassifier.open(model, null, EdgeOptions.builder().warmupRuns(0).build());
                List<EdgeRunner> runners = new ArrayList<>(List.of(c.runner()));
                for (int i = 0; i < 3; i++) {
                    runners.add(c.newRunner());
                }
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> closers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    closers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        c.close();
                        // Whoever returns from close() finds everything freed, not only the thread that did it.
                        return c.isClosed() && runners.stream().allMatch(EdgeRunner::isClosed);
                    }));
                }
                for (Future<Boolean> f : closers) {
                    assertTrue(f.get(30, TimeUnit.SECONDS), "a close() returned before the classifier and its runners were closed");
                }
                assertTrue(c.isClosed());
                for (EdgeRunner r : runners) {
                    assertTrue(r.isClosed());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, EdgeRunner.openRunners());
    }

    /**
     * Threads classify without pause while another closes the classifier: every run either completes with
     * probabilities that sum to 1 or throws IllegalStateException; nothing else happens and the JVM survives.
     */
    @Test
    void closeWhileRunsAreInFlight() throws Exception {
        byte[] model = new TestModels(EdgeClassifierTest.colourSpec(), 5).toBytes();
        byte[] frame = new byte[30 * 20 * 3];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 31);
        }
        for (int round = 0; round < 5; round++) {
            EdgeClassifier c = EdgeClassifier.open(model, null, EdgeOptions.builder().warmupRuns(1).intraOpThreads(1).build());
            long target = completed(round);
            int threads = 3;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicLong completed = new AtomicLong();
            try {
                List<Future<String>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    boolean builtIn = t == 0;
                    EdgeRunner r = builtIn ? c.runner() : c.newRunner();
                    Classification top = c.newResult(2);
                    workers.add(pool.submit(() -> {
                        while (true) {
                            try {
                                r.classify(frame, 30, 20, PixelFormat.RGB24, top);
                                float sum = 0;
                                for (int k = 0; k < 5; k++) {
                                    sum += r.probability(0, k);
                                }
                                if (Math.abs(sum - 1f) > 1e-4f) {
                                    return "probabilities sum to " + sum;
                                }
                            } catch (IllegalStateException closed) {
                                return "closed";
                            }
                            completed.incrementAndGet();
                        }
                    }));
                }
                while (completed.get() < target) {
                    Thread.onSpinWait();
                }
                c.close();
                for (Future<String> w : workers) {
                    assertEquals("closed", w.get(30, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
                c.close();
            }
        }
    }

    /** Runs completed before the close: from none (close at once) to a few hundred. */
    private static long completed(int round) {
        return round == 0 ? 0 : 50L * round * round;
    }
}
