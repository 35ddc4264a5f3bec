package io.edgekd.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The per-frame cost of the edge runtime against the call it wraps.
 *
 * <ul>
 *   <li>{@code bareSessionRun}: ONNX Runtime alone — the same session options, input and output tensors over
 *       direct buffers created once, {@code run(inputs, pinnedOutputs)}. The floor.</li>
 *   <li>{@code classifyPreprocessed}: {@code EdgeRunner.run()} + top-k on an input already in the tensor: what
 *       the runtime adds to the floor.</li>
 *   <li>{@code classifyFrame}: the whole per-frame path for a 28x28 gray frame: preprocessing, run, softmax
 *       check, top-3.</li>
 *   <li>{@code classifyCameraFrame}: the same from a 640x480 BGR camera frame (bilinear resize and gray conversion).</li>
 *   <li>{@code ortUsualWay}: ONNX Runtime as most code calls it: a tensor from a heap buffer per call, outputs
 *       allocated by ONNX Runtime, {@code getValue()} into Java arrays.</li>
 * </ul>
 *
 * One intra-op thread, no spinning, all graph optimisations, in every case. Read allocation with {@code -prof gc}
 * ({@code gc.alloc.rate.norm}, bytes per call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class EdgeClassifierBenchmark {
    @Param({"student"})
    public String model;

    private EdgeClassifier classifier;
    private EdgeRunner runner;
    private Classification top;
    private byte[] frame;
    private byte[] camera;

    private OrtEnvironment env;
    private OrtSession.SessionOptions options;
    private OrtSession session;
    private OnnxTensor input;
    private OnnxTensor output;
    private FloatBuffer outputBuffer;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> pinned;
    private float[] heapInput;
    private long[] shape;
    private String inputName;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        java.nio.file.Path file = BenchModels.model(model);
        classifier = EdgeClassifier.open(file, EdgeOptions.builder().intraOpThreads(1).interOpThreads(1).spinning(false).warmupRuns(10).build());
        runner = classifier.runner();
        int classes = classifier.spec().labels().size();
        top = classifier.newResult(Math.min(3, classes));
        SplittableRandom r = new SplittableRandom(1);
        frame = new byte[28 * 28];
        r.nextBytes(frame);
        camera = new byte[640 * 480 * 3];
        r.nextBytes(camera);
        classifier.classify(frame, 28, 28, PixelFormat.GRAY8, top);

        env = OrtEnvironment.getEnvironment();
        options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(file.toString(), options);
        inputName = classifier.spec().inputName();
        shape = new long[] {1, 1, 28, 28};
        FloatBuffer in = ByteBuffer.allocateDirect(4 * 784).order(ByteOrder.nativeOrder()).asFloatBuffer();
        heapInput = new float[784];
        for (int i = 0; i < 784; i++) {
            heapInput[i] = (float) r.nextGaussian();
            in.put(i, heapInput[i]);
        }
        outputBuffer = ByteBuffer.allocateDirect(4 * classes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        input = OnnxTensor.createTensor(env, in, shape);
        output = OnnxTensor.createTensor(env, outputBuffer, new long[] {1, classes});
        inputs = Map.of(inputName, input);
        pinned = Map.of(classifier.spec().outputName(), output);
        for (int i = 0; i < 10; i++) {
            session.run(inputs, pinned).close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        classifier.close();
        input.close();
        output.close();
        session.close();
        options.close();
    }

    @Benchmark
    public float bareSessionRun() throws OrtException {
        session.run(inputs, pinned).close();
        return outputBuffer.get(0);
    }

    @Benchmark
    public int classifyPreprocessed() {
        runner.run();
        runner.result(0, top);
        return top.index(0);
    }

    @Benchmark
    public int classifyFrame() {
        classifier.classify(frame, 28, 28, PixelFormat.GRAY8, top);
        return top.index(0);
    }

    @Benchmark
    public int classifyCameraFrame() {
        classifier.classify(camera, 640, 480, PixelFormat.BGR24, top);
        return top.index(0);
    }

    @Benchmark
    public float ortUsualWay() throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(heapInput), shape);
             OrtSession.Result result = session.run(Map.of(inputName, t))) {
            float[][] p = (float[][]) result.get(0).getValue();
            return p[0][0];
        }
    }
}
