package io.edgekd.runtime;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.OutputKind;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.ResizeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeClassifierTest {
    /** ONNX Runtime's float kernels against the double-precision reference, on probabilities. */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static ModelSpec graySpec() {
        return ModelSpec.builder()
                .labels(List.of("zero", "one", "two"))
                .input(1, 12, 10)
                .normalization(Normalization.of(1f / 255f, new float[] {0.3f}, new float[] {0.35f}))
                .role(ModelRole.STUDENT)
                .build();
    }

    static ModelSpec colourSpec() {
        return ModelSpec.builder()
                .labels(List.of("a", "b", "c", "d", "e"))
                .input(3, 9, 14)
                .pixelOrder(PixelOrder.BGR)
                .resizeMode(ResizeMode.CENTER_CROP)
                .normalization(Normalization.of(1f / 255f, new float[] {0.4f, 0.45f, 0.5f}, new float[] {0.22f, 0.23f, 0.24f}))
                .build();
    }

    static EdgeOptions quiet() {
        return EdgeOptions.builder().warmupRuns(1).build();
    }

    private static byte[] frame(SplittableRandom r, int w, int h, PixelFormat f) {
        byte[] b = new byte[w * h * f.bytesPerPixel()];
        r.nextBytes(b);
        return b;
    }

    private static float[] preprocessed(ModelSpec spec, byte[] frame, int w, int h, PixelFormat f) {
        FramePreprocessor pre = new FramePreprocessor(spec);
        FloatBuffer buf = FloatBuffer.allocate(spec.imageSize());
        pre.toFloatNchw(frame, 0, w, h, w * f.bytesPerPixel(), f, buf, 0);
        return buf.array();
    }

    private static void assertMatchesReference(TestModels m, EdgeRunner runner, int slot, float[] input) {
        double[] expected = m.reference(input);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], runner.probability(slot, k), TOLERANCE, "class " + k);
        }
    }

    @Test
    void grayModelMatchesReferenceOnFramesOfAnySizeAndFormat() throws Exception {
        TestModels m = new TestModels(graySpec(), 1);
        Path file = m.write(dir, "gray.onnx");
        SplittableRandom r = new SplittableRandom(2);
        try (EdgeClassifier c = EdgeClassifier.open(file, quiet())) {
            assertEquals(graySpec(), c.spec());
            assertEquals(ExecutionProvider.CPU, c.activeProvider());
            Classification top = c.newResult(3);
            for (PixelFormat f : PixelFormat.values()) {
                int w = 5 + r.nextInt(60);
                int h = 5 + r.nextInt(60);
                byte[] frame = frame(r, w, h, f);
                c.classify(frame, w, h, f, top);
                assertMatchesReference(m, c.runner(), 0, preprocessed(c.spec(), frame, w, h, f));
                float p0 = top.probability(0);
                for (int k = 0; k < 3; k++) {
                    assertTrue(c.runner().probability(0, k) <= p0);
                }
                assertEquals(1f, top.probability(0) + top.probability(1) + top.probability(2), 1e-5f);
            }
        }
    }

    @Test
    void colourModelWithCropStrideAndDirectBuffers() throws Exception {
        TestModels m = new TestModels(colourSpec(), 3);
        SplittableRandom r = new SplittableRandom(4);
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "colour.onnx"), quiet())) {
            Classification top = c.newResult(2);
            int w = 40;
            int h = 31;
            int stride = w * 4 + 12;
            byte[] padded = new byte[7 + stride * h];
            r.nextBytes(padded);
            c.classify(padded, 7, w, h, stride, PixelFormat.RGBA32, top);
            FramePreprocessor pre = new FramePreprocessor(c.spec());
            FloatBuffer ref = FloatBuffer.allocate(c.spec().imageSize());
            pre.toFloatNchw(padded, 7, w, h, stride, PixelFormat.RGBA32, ref, 0);
            assertMatchesReference(m, c.runner(), 0, ref.array());

            ByteBuffer direct = ByteBuffer.allocateDirect(padded.length);
            direct.put(padded).flip().position(5);
            Classification viaBuffer = c.newResult(2);
            c.classify(direct, 7, w, h, stride, PixelFormat.RGBA32, viaBuffer);
            assertEquals(top.index(0), viaBuffer.index(0));
            assertEquals(top.probability(0), viaBuffer.probability(0), 0f);
            assertEquals(5, direct.position());
        }
    }

    @Test
    void fusedPreprocessingModelTakesRawFrames() throws Exception {
        ModelSpec floatSpec = colourSpec();
        ModelSpec fusedSpec = floatSpec.toBuilder().inputForm(InputForm.UINT8_NHWC).inputName("frames").build();
        TestModels plain = new TestModels(floatSpec, 9);
        TestModels fused = new TestModels(fusedSpec, 9);
        SplittableRandom r = new SplittableRandom(10);
        try (EdgeClassifier a = EdgeClassifier.open(plain.write(dir, "plain.onnx"), quiet());
             EdgeClassifier b = EdgeClassifier.open(fused.write(dir, "fused.onnx"), quiet())) {
            Classification ta = a.newResult(5);
            Classification tb = b.newResult(5);
            // At the model's size in its own pixel order the frame is copied as is; elsewhere it is resized in uint8.
            byte[] exact = frame(r, 14, 9, PixelFormat.BGR24);
            a.classify(exact, 14, 9, PixelFormat.BGR24, ta);
            b.classify(exact, 14, 9, PixelFormat.BGR24, tb);
            for (int k = 0; k < 5; k++) {
                assertEquals(a.runner().probability(0, k), b.runner().probability(0, k), 1e-5, "class " + k);
            }
            byte[] copied = new byte[14 * 9 * 3];
            b.runner().inputBytes().get(0, copied);
            assertArrayEquals(exact, copied);

            byte[] big = frame(r, 50, 30, PixelFormat.RGB24);
            b.classify(big, 50, 30, PixelFormat.RGB24, tb);
            FramePreprocessor pre = new FramePreprocessor(fusedSpec);
            byte[] resized = new byte[fusedSpec.imageSize()];
            pre.toUint8Nhwc(big, 0, 50, 30, 150, PixelFormat.RGB24, resized, 0);
            float[] ref = preprocessed(floatSpec, resized, 14, 9, PixelFormat.BGR24);
            assertMatchesReference(plain, b.runner(), 0, ref);
            assertThrows(IllegalStateException.class, () -> b.runner().inputFloats());
            assertThrows(IllegalStateException.class, () -> a.runner().inputBytes());
        }
    }

    /** Probabilities of every class for a raw frame, through the runtime's own preprocessing. */
    @Test
    void probabilitiesOfARawFrame() throws Exception {
        TestModels m = new TestModels(colourSpec(), 27);
        SplittableRandom r = new SplittableRandom(28);
        try (EdgeClassifier c = EdgeClassifier.open(m.toBytes(), null, quiet())) {
            byte[] f = frame(r, 33, 21, PixelFormat.BGRA32);
            float[] p = new float[7];
            c.probabilities(f, 0, 33, 21, 33 * 4, PixelFormat.BGRA32, p, 2);
            double[] expected = m.reference(preprocessed(c.spec(), f, 33, 21, PixelFormat.BGRA32));
            for (int k = 0; k < 5; k++) {
                assertEquals(expected[k], p[2 + k], TOLERANCE, "class " + k);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> c.probabilities(f, 0, 33, 21, 33 * 4, PixelFormat.BGRA32, p, 3));
            float[] copy = new float[5];
            c.runner().probabilities(0, copy, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 2, 7), copy, 0f);
        }
    }

    @Test
    void logitOutputsGetSoftmax() throws Exception {
        ModelSpec spec = graySpec().toBuilder().outputName("logits").outputKind(OutputKind.LOGITS).build();
        TestModels m = new TestModels(spec, 5);
        SplittableRandom r = new SplittableRandom(6);
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "logits.onnx"), quiet())) {
            byte[] f = frame(r, 10, 12, PixelFormat.GRAY8);
            c.classify(f, 10, 12, PixelFormat.GRAY8, c.newResult(1));
            assertMatchesReference(m, c.runner(), 0, preprocessed(spec, f, 10, 12, PixelFormat.GRAY8));
        }
    }

    @Test
    void preprocessedInputAndZeroCopyViews() throws Exception {
        TestModels m = new TestModels(graySpec(), 7);
        SplittableRandom r = new SplittableRandom(8);
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "g.onnx"), quiet())) {
            float[] x = new float[c.spec().imageSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            FloatBuffer src = FloatBuffer.allocate(x.length + 3);
            src.position(3);
            src.put(x);
            Classification top = c.newResult(3);
            c.classify(src, 3, top);
            assertMatchesReference(m, c.runner(), 0, x);

            FloatBuffer in = c.runner().inputFloats();
            for (int i = 0; i < x.length; i++) {
                in.put(i, -x[i]);
            }
            c.runner().run();
            float[] neg = x.clone();
            for (int i = 0; i < neg.length; i++) {
                neg[i] = -neg[i];
            }
            assertMatchesReference(m, c.runner(), 0, neg);

            FloatBuffer probs = c.runner().probabilities();
            assertTrue(probs.isReadOnly() && probs.isDirect());
            assertEquals(c.runner().probability(0, 1), probs.get(1), 0f);
            assertThrows(ReadOnlyBufferException.class, () -> probs.put(0, 1f));
            assertThrows(IllegalArgumentException.class, () -> c.classify(FloatBuffer.allocate(10), 0, top));
        }
    }

    /**
     * The input views are for per-frame use: the same object on every call, handed back with position 0 and
     * the limit at the capacity whatever the previous caller did, and no allocation.
     */
    @Test
    void inputViewsAreCachedAndAllocateNothing() throws Exception {
        ModelSpec fusedSpec = colourSpec().toBuilder().inputForm(InputForm.UINT8_NHWC).inputName("frames").build();
        try (EdgeClassifier plain = EdgeClassifier.open(new TestModels(graySpec(), 25).toBytes(), null, quiet());
             EdgeClassifier fused = EdgeClassifier.open(new TestModels(fusedSpec, 26).toBytes(), null, quiet())) {
            EdgeRunner a = plain.runner();
            EdgeRunner b = fused.runner();
            FloatBuffer floats = a.inputFloats();
            assertSame(floats, a.inputFloats());
            floats.put(1f).put(2f).limit(5);
            FloatBuffer again = a.inputFloats();
            assertEquals(0, again.position());
            assertEquals(again.capacity(), again.limit());
            assertEquals(2f, again.get(1), 0f, "the view shares the tensor's memory");
            ByteBuffer bytes = b.inputBytes();
            assertSame(bytes, b.inputBytes());
            assertEquals(java.nio.ByteOrder.nativeOrder(), bytes.order());
            bytes.position(7);
            assertEquals(0, b.inputBytes().position());

            com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            for (int i = 0; i < 2000; i++) {
                a.inputFloats().put(i % 10, i);
                b.inputBytes().put(i % 10, (byte) i);
            }
            long before = bean.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++) {
                a.inputFloats().put(i % 10, i);
                b.inputBytes().put(i % 10, (byte) i);
            }
            long allocated = bean.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 40,000 calls");
        }
    }

    @Test
    void batchRunnerEqualsSingleFrames() throws Exception {
        TestModels m = new TestModels(colourSpec(), 11);
        SplittableRandom r = new SplittableRandom(12);
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "c.onnx"), quiet());
             EdgeRunner batch = c.newRunner(5)) {
            assertEquals(5, batch.batchSize());
            byte[][] frames = new byte[5][];
            for (int i = 0; i < 5; i++) {
                frames[i] = frame(r, 20 + i, 15, PixelFormat.BGR24);
                batch.put(i, frames[i], 20 + i, 15, PixelFormat.BGR24);
            }
            batch.run();
            Classification single = c.newResult(5);
            Classification fromBatch = c.newResult(5);
            for (int i = 0; i < 5; i++) {
                c.classify(frames[i], 20 + i, 15, PixelFormat.BGR24, single);
                batch.result(i, fromBatch);
                for (int k = 0; k < 5; k++) {
                    assertEquals(single.index(k), fromBatch.index(k));
                    assertEquals(single.probability(k), fromBatch.probability(k), 1e-6f);
                }
            }
            assertThrows(IllegalStateException.class, () -> batch.classify(frames[0], 20, 15, PixelFormat.BGR24, single));
            assertThrows(IndexOutOfBoundsException.class, () -> batch.put(5, frames[0], 20, 15, PixelFormat.BGR24));
            assertThrows(IllegalArgumentException.class, () -> c.newRunner(0));
        }
    }

    @Test
    void runnersOnManyThreadsGiveTheSameAnswers() throws Exception {
        TestModels m = new TestModels(colourSpec(), 13);
        SplittableRandom r = new SplittableRandom(14);
        int n = 40;
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
            frames[i] = frame(r, 30, 20, PixelFormat.RGB24);
        }
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "t.onnx"), quiet())) {
            float[][] expected = new float[n][5];
            for (int i = 0; i < n; i++) {
                c.classify(frames[i], 30, 20, PixelFormat.RGB24, c.newResult(1));
                c.runner().probabilities().get(0, expected[i]);
            }
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<float[][]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        float[][] got = new float[n][5];
                        try (EdgeRunner runner = c.newRunner()) {
                            Classification top = c.newResult(1);
                            for (int rep = 0; rep < 5; rep++) {
                                for (int i = 0; i < n; i++) {
                                    runner.classify(frames[i], 30, 20, PixelFormat.RGB24, top);
                                    runner.probabilities().get(0, got[i]);
                                }
                            }
                        }
                        return got;
                    }));
                }
                for (Future<float[][]> f : results) {
                    float[][] got = f.get();
                    for (int i = 0; i < n; i++) {
                        assertArrayEquals(expected[i], got[i], 0f, "frame " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closeIsIdempotentAndEverythingAfterItThrows() throws Exception {
        TestModels m = new TestModels(graySpec(), 15);
        EdgeClassifier c = EdgeClassifier.open(m.write(dir, "c.onnx"), quiet());
        EdgeRunner runner = c.newRunner();
        Classification top = c.newResult(1);
        byte[] f = new byte[120];
        c.close();
        c.close();
        assertTrue(c.isClosed());
        assertTrue(runner.isClosed());
        assertThrows(IllegalStateException.class, () -> c.classify(f, 10, 12, PixelFormat.GRAY8, top));
        assertThrows(IllegalStateException.class, () -> runner.classify(f, 10, 12, PixelFormat.GRAY8, top));
        assertThrows(IllegalStateException.class, c::spec);
        assertThrows(IllegalStateException.class, () -> c.newResult(1));
        assertThrows(IllegalStateException.class, c::newRunner);
        runner.close();
    }

    @Test
    void badFramesAndResultsAreClearErrors() throws Exception {
        TestModels m = new TestModels(graySpec(), 16);
        try (EdgeClassifier c = EdgeClassifier.open(m.write(dir, "c.onnx"), quiet())) {
            Classification top = c.newResult(2);
            IllegalArgumentException shortFrame = assertThrows(IllegalArgumentException.class,
                    () -> c.classify(new byte[100], 10, 12, PixelFormat.GRAY8, top));
            assertTrue(shortFrame.getMessage().contains("expected at least 120 bytes") && shortFrame.getMessage().contains("found 100"),
                    shortFrame.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.classify(new byte[100], 0, 12, PixelFormat.GRAY8, top));
            assertThrows(IllegalArgumentException.class, () -> c.classify(new byte[360], 0, 10, 12, 20, PixelFormat.RGB24, top));
            assertThrows(NullPointerException.class, () -> c.classify(new byte[120], 10, 12, null, top));
            Classification foreign = new Classification(2, List.of("p", "q", "r", "s"));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> c.classify(new byte[120], 10, 12, PixelFormat.GRAY8, foreign));
            assertTrue(wrong.getMessage().contains("expected 4") && wrong.getMessage().contains("found 3"), wrong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.newResult(4));
        }
    }

    @Test
    void badModelFilesAreClearErrorsNotCrashes() throws Exception {
        TestModels m = new TestModels(graySpec(), 17);
        byte[] good = m.toBytes();
        EdgeModelException missing = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(dir.resolve("none.onnx"), quiet()));
        assertTrue(missing.getMessage().contains("found nothing"), missing.getMessage());
        assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(dir, quiet()));
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        EdgeModelException e0 = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(empty, quiet()));
        assertTrue(e0.getMessage().contains("empty file"), e0.getMessage());
        SplittableRandom r = new SplittableRandom(18);
        for (int cut : new int[] {1, 10, good.length / 3, good.length / 2, good.length - 7}) {
            Path truncated = Files.write(dir.resolve("t" + cut + ".onnx"), java.util.Arrays.copyOf(good, cut));
            EdgeModelException e = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(truncated, quiet()), "cut " + cut);
            assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
        }
        for (int i = 0; i < 5; i++) {
            byte[] junk = new byte[200 + r.nextInt(3000)];
            r.nextBytes(junk);
            Path p = Files.write(dir.resolve("junk" + i + ".onnx"), junk);
            assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(p, quiet()));
        }
        Path png = Files.write(dir.resolve("picture.onnx"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(png, quiet()));
    }

    @Test
    void modelsThatDoNotMatchTheirSpecAreRefused() throws Exception {
        TestModels m = new TestModels(graySpec(), 19);
        Path bare = Files.write(dir.resolve("bare.onnx"), m.toBytesWithoutMetadata());
        EdgeModelException noMeta = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bare, quiet()));
        assertTrue(noMeta.getMessage().contains("edgekd.spec.version") && noMeta.getMessage().contains("open(path, spec, options)"),
                noMeta.getMessage());
        try (EdgeClassifier c = EdgeClassifier.open(bare, graySpec(), quiet())) {
            assertEquals(3, c.labels().size());
        }

        ModelSpec tenLabels = graySpec().toBuilder().labels(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")).build();
        EdgeModelException classes = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bare, tenLabels, quiet()));
        assertTrue(classes.getMessage().contains("expected 10 classes") && classes.getMessage().contains("found 3"), classes.getMessage());

        ModelSpec otherInput = graySpec().toBuilder().inputName("image").build();
        EdgeModelException name = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bare, otherInput, quiet()));
        assertTrue(name.getMessage().contains("'image'") && name.getMessage().contains("[input]"), name.getMessage());

        ModelSpec otherSize = graySpec().toBuilder().input(1, 28, 28).build();
        EdgeModelException size = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bare, otherSize, quiet()));
        assertTrue(size.getMessage().contains("[-1, 1, 28, 28]") && size.getMessage().contains("[-1, 1, 12, 10]"), size.getMessage());

        ModelSpec fusedSpec = graySpec().toBuilder().inputForm(InputForm.UINT8_NHWC).build();
        EdgeModelException form = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bare, fusedSpec, quiet()));
        assertTrue(form.getMessage().contains("UINT8") || form.getMessage().contains("[N, H, W, C]"), form.getMessage());

        var malformed = new java.util.LinkedHashMap<>(graySpec().toMetadata());
        malformed.put(ModelSpec.KEY_INPUT_SHAPE, "-1,1,twelve,10");
        var proto = m.model(false).toBuilder();
        malformed.forEach((k, v) -> proto.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        Path bad = Files.write(dir.resolve("badmeta.onnx"), proto.build().toByteArray());
        EdgeModelException meta = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(bad, quiet()));
        assertTrue(meta.getMessage().contains("edgekd.input.shape") && meta.getMessage().contains("twelve"), meta.getMessage());

        // Not an image model: a [N, 4] vector input.
        var g = ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("vec")
                .addInput(TestModels.valueInfo("input", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, -1, 4))
                .addInitializer(TestModels.floats("w", new float[12], 4, 3))
                .addNode(TestModels.node("MatMul", new String[] {"input", "w"}, "logits", java.util.Map.of()))
                .addNode(TestModels.node("Softmax", new String[] {"logits"}, "probabilities", java.util.Map.of("axis", 1L)))
                .addOutput(TestModels.valueInfo("probabilities", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, -1, 3));
        var vec = ai.onnx.proto.OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
        Path vecFile = Files.write(dir.resolve("vec.onnx"), vec.toByteArray());
        EdgeModelException notImage = assertThrows(EdgeModelException.class, () -> EdgeClassifier.open(vecFile, graySpec(), quiet()));
        assertTrue(notImage.getMessage().contains("not an image tensor") && notImage.getMessage().contains("[-1, 4]"), notImage.getMessage());
    }

    /**
     * A graph with a fixed batch of 2 classifies single frames: the frame goes into slot 0 and the answer matches
     * the reference; slot 1 does not disturb it.
     */
    @Test
    void fixedBatchModelsClassifySingleFramesInSlotZero() throws Exception {
        ModelSpec fixed = graySpec().toBuilder().batch(2).build();
        TestModels m = new TestModels(fixed, 22);
        SplittableRandom r = new SplittableRandom(23);
        try (EdgeClassifier c = EdgeClassifier.open(m.toBytes(), null, quiet())) {
            Classification top = c.newResult(3);
            for (int i = 0; i < 3; i++) {
                byte[] f = frame(r, 20, 24, PixelFormat.GRAY8);
                c.classify(f, 20, 24, PixelFormat.GRAY8, top);
                assertMatchesReference(m, c.runner(), 0, preprocessed(fixed, f, 20, 24, PixelFormat.GRAY8));
                assertEquals(c.runner().probability(0, top.index(0)), top.probability(0), 0f);
            }
            try (EdgeRunner own = c.newRunner()) {
                byte[] f = frame(r, 10, 12, PixelFormat.GRAY8);
                own.put(1, frame(r, 10, 12, PixelFormat.GRAY8), 10, 12, PixelFormat.GRAY8);
                own.classify(f, 10, 12, PixelFormat.GRAY8, top);
                assertMatchesReference(m, own, 0, preprocessed(fixed, f, 10, 12, PixelFormat.GRAY8));
            }
        }
    }

    /** A result made for other labels, even as many, is refused: its labels would name the wrong classes. */
    @Test
    void resultsForOtherLabelsAreRefused() throws Exception {
        TestModels m = new TestModels(graySpec(), 24);
        try (EdgeClassifier c = EdgeClassifier.open(m.toBytes(), null, quiet())) {
            byte[] f = new byte[120];
            Classification other = new Classification(2, List.of("cat", "dog", "bird"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.classify(f, 10, 12, PixelFormat.GRAY8, other));
            assertTrue(e.getMessage().contains("[zero, one, two]") && e.getMessage().contains("[cat, dog, bird]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.runner().result(0, other));
            // An equal list made elsewhere names the same classes and is accepted.
            Classification equal = new Classification(2, new ArrayList<>(List.of("zero", "one", "two")));
            c.classify(f, 10, 12, PixelFormat.GRAY8, equal);
            Classification own = c.newResult(2);
            c.classify(f, 10, 12, PixelFormat.GRAY8, own);
            assertEquals(own.index(0), equal.index(0));
            assertEquals(own.label(0), equal.label(0));
        }
    }

    @Test
    void opensFromBytesAndFixedBatchModels() throws Exception {
        ModelSpec fixed = graySpec().toBuilder().batch(2).build();
        TestModels m = new TestModels(fixed, 21);
        try (EdgeClassifier c = EdgeClassifier.open(m.toBytes(), null, quiet())) {
            assertEquals(2, c.fixedBatchSize());
            assertEquals(2, c.runner().batchSize());
            assertThrows(IllegalArgumentException.class, () -> c.newRunner(3));
            try (EdgeRunner r = c.newRunner()) {
                assertEquals(2, r.batchSize());
            }
        }
    }
}
