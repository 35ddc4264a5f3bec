package io.edgekd.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import io.edgekd.train.network.InputShape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The per-frame cost of the edge runtime against the call it wraps, for any benchmark model, input size, class
 * count and intra-op thread count.
 *
 * <ul>
 *   <li>{@code bareSessionRun}: ONNX Runtime alone — the same session options, input and output tensors over
 *       direct buffers created once (shaped from the model's spec), {@code run(inputs, pinnedOutputs)}. The floor.</li>
 *   <li>{@code classifyPreprocessed}: {@code EdgeRunner.run()} + top-k on an input already in the tensor: what
 *       the runtime adds to the floor.</li>
 *   <li>{@code classifyFrame}: the whole per-frame path for a frame of the model's own size (gray or BGR):
 *       preprocessing, run, top-3.</li>
 *   <li>{@code classifyCameraFrame}: the same from a raw 640x480 BGR camera frame: bilinear resize, channel order and
 *       normalisation in Java, into the float tensor.</li>
 *   <li>{@code classifyCameraFrameFused}: the same frame on the model exported with fused preprocessing: Java only
 *       resizes into the uint8 NHWC tensor; the graph normalises.</li>
 *   <li>{@code ortUsualWay}: ONNX Runtime as most code calls it: a tensor from a heap buffer per call, outputs
 *       allocated by ONNX Runtime, {@code getValue()} into Java arrays.</li>
 * </ul>
 *
 * All graph optimisations, no spinning, one inter-op thread, {@code threads} intra-op threads in every case. Setup
 * opens only what the running benchmark uses. Read allocation with {@code -prof gc} ({@code gc.alloc.rate.norm}, bytes
 * per call) and direct memory with {@code -prof io.edgekd.bench.DirectMemoryProfiler}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-Xss4m"})
@State(Scope.Thread)
public class EdgeClassifierBenchmark {
    /** {@code student}, {@code teacher} or {@code mobilenetv2}. */
    @Param({"student"})
    public String model;

    /** {@code CxHxW}. */
    @Param({"1x28x28"})
    public String input;

    /** Classes (the MobileNetV2 reference always has 1,000). */
    @Param({"10"})
    public int classes;

    /** ONNX Runtime intra-op threads. */
    @Param({"1"})
    public int threads;

    /**
     * {@code float32}, {@code int8} (symmetric activations, the default int8 export) or {@code int8-unsigned}; int8 only
     * for {@code student} and {@code teacher}, and only with {@code classifyPreprocessed} and {@code bareSessionRun} (the
     * preprocessed float input the exported graph takes).
     */
    @Param({"float32"})
    public String precision;

    private EdgeClassifier classifier;
    private EdgeRunner runner;
    private Classification top;
    private byte[] frame;
    private PixelFormat frameFormat;
    private byte[] camera;
    private InputShape shape;

    private OrtEnvironment env;
    private OrtSession.SessionOptions options;
    private OrtSession session;
    private OnnxTensor inputTensor;
    private OnnxTensor outputTensor;
    private FloatBuffer outputBuffer;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> pinned;
    private float[] heapInput;
    private long[] tensorShape;
    private String inputName;

    /**
     * Opens what the running benchmark needs.
     *
     * @param params which benchmark runs
     * @throws Exception if a model cannot be opened
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        shape = BenchModels.shape(input);
        SplittableRandom r = new SplittableRandom(1);
        camera = new byte[640 * 480 * 3];
        r.nextBytes(camera);
        frame = new byte[shape.channels() * shape.height() * shape.width()];
        r.nextBytes(frame);
        frameFormat = shape.channels() == 1 ? PixelFormat.GRAY8 : PixelFormat.BGR24;
        EdgeOptions edge = EdgeOptions.builder().intraOpThreads(threads).interOpThreads(1).spinning(false).warmupRuns(10).build();
        boolean fused = method.equals("classifyCameraFrameFused");
        if (!precision.equals("float32") && !method.equals("classifyPreprocessed") && !method.equals("bareSessionRun")) {
            throw new IllegalArgumentException(method + ": expected precision float32, found " + precision
                    + " (int8 is measured with classifyPreprocessed and bareSessionRun)");
        }
        Path file = fused ? BenchModels.onnx(model, input, classes, true) : BenchModels.onnx(model, input, classes, precision);
        if (method.startsWith("classify")) {
            classifier = EdgeClassifier.open(file, edge);
            runner = classifier.runner();
            top = classifier.newResult(Math.min(3, classifier.spec().numClasses()));
            classifier.classify(camera, 640, 480, PixelFormat.BGR24, top);
            if (method.equals("classifyPreprocessed")) {
                // An input as a model sees it after preprocessing, written once into the runner's own tensor.
                FloatBuffer preprocessed = runner.inputFloats();
                for (int i = 0; i < preprocessed.capacity(); i++) {
                    preprocessed.put(i, (float) r.nextGaussian());
                }
            }
            return;
        }
        // bareSessionRun and ortUsualWay: ONNX Runtime by hand, with the session options the runtime uses.
        ModelSpec spec;
        try (EdgeClassifier c = EdgeClassifier.open(file, edge)) {
            spec = c.spec();
        }
        env = OrtEnvironment.getEnvironment();
        options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(file.toString(), options);
        inputName = spec.inputName();
        int k = spec.numClasses();
        int n = shape.channels() * shape.height() * shape.width();
        tensorShape = new long[] {1, shape.channels(), shape.height(), shape.width()};
        FloatBuffer in = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        heapInput = new float[n];
        for (int i = 0; i < n; i++) {
            heapInput[i] = (float) r.nextGaussian();
            in.put(i, heapInput[i]);
        }
        outputBuffer = ByteBuffer.allocateDirect(4 * k).order(ByteOrder.nativeOrder()).asFloatBuffer();
        inputTensor = OnnxTensor.createTensor(env, in, tensorShape);
        outputTensor = OnnxTensor.createTensor(env, outputBuffer, new long[] {1, k});
        inputs = Map.of(inputName, inputTensor);
        pinned = Map.of(spec.outputName(), outputTensor);
        for (int i = 0; i < 10; i++) {
            session.run(inputs, pinned).close();
        }
    }

    /**
     * Closes what {@link #setUp} opened.
     *
     * @throws OrtException if ONNX Runtime fails to release
     */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        if (classifier != null) {
            classifier.close();
        }
        if (session != null) {
            inputTensor.close();
            outputTensor.close();
            session.close();
            options.close();
        }
    }

    /** @return a probability, so that the run is not dead code @throws OrtException if the run fails */
    @Benchmark
    public float bareSessionRun() throws OrtException {
        session.run(inputs, pinned).close();
        return outputBuffer.get(0);
    }

    /** @return the top class */
    @Benchmark
    public int classifyPreprocessed() {
        runner.run();
        runner.result(0, top);
        return top.index(0);
    }

    /** @return the top class */
    @Benchmark
    public int classifyFrame() {
        classifier.classify(frame, shape.width(), shape.height(), frameFormat, top);
        return top.index(0);
    }

    /** @return the top class */
    @Benchmark
    public int classifyCameraFrame() {
        classifier.classify(camera, 640, 480, PixelFormat.BGR24, top);
        return top.index(0);
    }

    /** @return the top class */
    @Benchmark
    public int classifyCameraFrameFused() {
        classifier.classify(camera, 640, 480, PixelFormat.BGR24, top);
        return top.index(0);
    }

    /** @return a probability @throws OrtException if the run fails */
    @Benchmark
    public float ortUsualWay() throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(heapInput), tensorShape);
             OrtSession.Result result = session.run(Map.of(inputName, t))) {
            float[][] p = (float[][]) result.get(0).getValue();
            return p[0][0];
        }
    }
}
