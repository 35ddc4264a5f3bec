package io.edgekd.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import io.edgekd.train.network.InputShape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ratios measured side by side: the two sides of each comparison run at the same time, one thread each, in one
 * JMH group, so that whatever else the machine is doing falls on both equally. On a shared machine, benchmarks run
 * one after the other see different load (seconds apart the same call can take twice as long), which swamps the
 * few percent some targets are about; a group trades absolute numbers (each side also competes with the other for
 * caches and memory bandwidth) for a fair ratio. Read the per-method scores ({@code runtime:floor},
 * {@code runtime:edgekd}, ...).
 *
 * <ul>
 *   <li>{@code runtime}: edgekd on a preprocessed input against the floor, same model;</li>
 *   <li>{@code frame} / {@code frameFused}: edgekd from a raw 640x480 BGR frame (Java preprocessing / fused
 *       preprocessing) against the floor;</li>
 *   <li>{@code djl} / {@code dl4j}: edgekd against DJL ({@link DjlBenchmark}'s setup) and against DL4J {@code output()};</li>
 *   <li>{@code classes}: edgekd on the student with {@code classes} classes against the student with 2;</li>
 *   <li>{@code reference}: edgekd on the student against edgekd on the MobileNetV2 reference (3x224x224).</li>
 * </ul>
 *
 * One intra-op thread per side (two sides fill a 2-core machine).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-Xss4m", "-Dai.djl.offline=true"})
public class PairedBenchmark {
    /** What both sides share. */
    @State(Scope.Benchmark)
    public static class Params {
        /** {@code student} or {@code teacher} (the {@code runtime} pair). */
        @Param({"student"})
        public String model;

        /** {@code CxHxW}. */
        @Param({"1x28x28"})
        public String input;

        /** Classes of the first side. */
        @Param({"10"})
        public int classes;

        /**
         * DJL's engine creates ONNX Runtime's environment with its own thread settings and fails if one exists: in the
         * {@code djl} pair, start it before either side opens a session.
         *
         * @param benchmark which group runs
         */
        @Setup(Level.Trial)
        public void setUp(org.openjdk.jmh.infra.BenchmarkParams benchmark) {
            if (benchmark.getBenchmark().endsWith(".djl")) {
                System.setProperty("ai.djl.offline", "true");
                ai.djl.engine.Engine.getEngine("OnnxRuntime");
            }
        }
    }

    /** edgekd on a preprocessed input: one runner, its input written once. */
    public abstract static class Edge {
        EdgeClassifier classifier;
        EdgeRunner runner;
        Classification top;

        void open(Path file) throws Exception {
            classifier = EdgeClassifier.open(file, EdgeOptions.builder().intraOpThreads(1).interOpThreads(1).spinning(false).warmupRuns(10).build());
            runner = classifier.runner();
            top = classifier.newResult(Math.min(3, classifier.spec().numClasses()));
            FloatBuffer in = runner.inputFloats();
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < in.capacity(); i++) {
                in.put(i, (float) r.nextGaussian());
            }
        }

        int classify() {
            runner.run();
            runner.result(0, top);
            return top.index(0);
        }

        /** Closes the classifier. */
        @TearDown(Level.Trial)
        public void close() {
            classifier.close();
        }
    }

    /** edgekd on the model the parameters name. */
    @State(Scope.Thread)
    public static class Main extends Edge {
        /** @param p parameters @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            open(BenchModels.onnx(p.model, p.input, p.classes, false));
        }
    }

    /** edgekd from a raw 640x480 BGR frame. */
    public abstract static class CameraBase extends Edge {
        byte[] frame;

        void open(Params p, boolean fused) throws Exception {
            Path file = BenchModels.onnx(p.model, p.input, p.classes, fused);
            classifier = EdgeClassifier.open(file, EdgeOptions.builder().intraOpThreads(1).interOpThreads(1).spinning(false).warmupRuns(10).build());
            runner = classifier.runner();
            top = classifier.newResult(Math.min(3, classifier.spec().numClasses()));
            frame = new byte[640 * 480 * 3];
            new SplittableRandom(1).nextBytes(frame);
        }

        int classifyFrame() {
            classifier.classify(frame, 640, 480, io.edgekd.core.image.PixelFormat.BGR24, top);
            return top.index(0);
        }
    }

    /** edgekd from a raw 640x480 BGR frame, Java preprocessing. */
    @State(Scope.Thread)
    public static class Camera extends CameraBase {
        /** @param p parameters @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            open(p, false);
        }
    }

    /** edgekd from a raw 640x480 BGR frame on the model with fused preprocessing. */
    @State(Scope.Thread)
    public static class CameraFused extends CameraBase {
        /** @param p parameters @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            open(p, true);
        }
    }

    /** DJL on the same file, as {@link DjlBenchmark}. */
    @State(Scope.Thread)
    public static class Djl {
        final DjlBenchmark djl = new DjlBenchmark();

        /** @param p parameters @throws Exception if DJL cannot load the model */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            djl.model = p.model;
            djl.input = p.input;
            djl.classes = p.classes;
            djl.threads = 1;
            djl.setUp();
        }

        /** Closes DJL's model. */
        @TearDown(Level.Trial)
        public void close() {
            djl.tearDown();
        }
    }

    /** DL4J on the network the file was exported from, as {@link Dl4jBenchmark}. */
    @State(Scope.Thread)
    public static class Dl4j {
        final Dl4jBenchmark dl4j = new Dl4jBenchmark();

        /** @param p parameters @throws Exception if the network cannot be read */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            dl4j.model = p.model;
            dl4j.input = p.input;
            dl4j.classes = p.classes;
            dl4j.threads = 1;
            dl4j.setUp();
        }
    }

    /** edgekd on the same student with 2 classes. */
    @State(Scope.Thread)
    public static class TwoClasses extends Edge {
        /** @param p parameters @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            open(BenchModels.onnx(p.model, p.input, 2, false));
        }
    }

    /** edgekd on the MobileNetV2 reference. */
    @State(Scope.Thread)
    public static class Reference extends Edge {
        /** @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            open(BenchModels.onnx("mobilenetv2", "3x224x224", BenchModels.MOBILENET_CLASSES, false));
        }
    }

    /** The floor: ONNX Runtime by hand with pinned tensors, as {@code EdgeClassifierBenchmark.bareSessionRun}. */
    @State(Scope.Thread)
    public static class Floor {
        private OrtSession.SessionOptions options;
        private OrtSession session;
        private OnnxTensor input;
        private OnnxTensor output;
        private FloatBuffer outputBuffer;
        private Map<String, OnnxTensor> inputs;
        private Map<String, OnnxTensor> pinned;

        /** @param p parameters @throws Exception if the model cannot be opened */
        @Setup(Level.Trial)
        public void setUp(Params p) throws Exception {
            Path file = BenchModels.onnx(p.model, p.input, p.classes, false);
            ModelSpec spec;
            try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().warmupRuns(0).build())) {
                spec = c.spec();
            }
            InputShape shape = BenchModels.shape(p.input);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(file.toString(), options);
            float[] x = PeerInput.floats(shape);
            FloatBuffer in = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
            in.put(0, x);
            outputBuffer = ByteBuffer.allocateDirect(4 * spec.numClasses()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            input = OnnxTensor.createTensor(env, in, new long[] {1, shape.channels(), shape.height(), shape.width()});
            output = OnnxTensor.createTensor(env, outputBuffer, new long[] {1, spec.numClasses()});
            inputs = Map.of(spec.inputName(), input);
            pinned = Map.of(spec.outputName(), output);
            for (int i = 0; i < 10; i++) {
                session.run(inputs, pinned).close();
            }
        }

        float run() throws OrtException {
            session.run(inputs, pinned).close();
            return outputBuffer.get(0);
        }

        /** @throws OrtException if ONNX Runtime fails to release */
        @TearDown(Level.Trial)
        public void close() throws OrtException {
            input.close();
            output.close();
            session.close();
            options.close();
        }
    }

    /** @param f the floor's state @return a probability @throws OrtException if the run fails */
    @Benchmark
    @Group("runtime")
    @GroupThreads(1)
    public float floor(Floor f) throws OrtException {
        return f.run();
    }

    /** @param e edgekd's state @return the top class */
    @Benchmark
    @Group("runtime")
    @GroupThreads(1)
    public int edgekd(Main e) {
        return e.classify();
    }

    /** @param e edgekd from a raw frame @return the top class */
    @Benchmark
    @Group("frame")
    @GroupThreads(1)
    public int frameEdgekd(Camera e) {
        return e.classifyFrame();
    }

    /** @param f the floor's state @return a probability @throws OrtException if the run fails */
    @Benchmark
    @Group("frame")
    @GroupThreads(1)
    public float frameFloor(Floor f) throws OrtException {
        return f.run();
    }

    /** @param e edgekd from a raw frame, fused preprocessing @return the top class */
    @Benchmark
    @Group("frameFused")
    @GroupThreads(1)
    public int frameFusedEdgekd(CameraFused e) {
        return e.classifyFrame();
    }

    /** @param f the floor's state @return a probability @throws OrtException if the run fails */
    @Benchmark
    @Group("frameFused")
    @GroupThreads(1)
    public float frameFusedFloor(Floor f) throws OrtException {
        return f.run();
    }

    /** @param e edgekd's state @return the top class */
    @Benchmark
    @Group("djl")
    @GroupThreads(1)
    public int djlEdgekd(Main e) {
        return e.classify();
    }

    /** @param d DJL's state @return a probability @throws Exception if the run fails */
    @Benchmark
    @Group("djl")
    @GroupThreads(1)
    public float djlPredict(Djl d) throws Exception {
        return d.djl.djlPredict();
    }

    /** @param e edgekd's state @return the top class */
    @Benchmark
    @Group("dl4j")
    @GroupThreads(1)
    public int dl4jEdgekd(Main e) {
        return e.classify();
    }

    /** @param d DL4J's state @return a probability */
    @Benchmark
    @Group("dl4j")
    @GroupThreads(1)
    public float dl4jOutput(Dl4j d) {
        return d.dl4j.dl4jOutput();
    }

    /** @param e edgekd on the model with {@code classes} classes @return the top class */
    @Benchmark
    @Group("classes")
    @GroupThreads(1)
    public int edgekdClasses(Main e) {
        return e.classify();
    }

    /** @param e edgekd on the model with 2 classes @return the top class */
    @Benchmark
    @Group("classes")
    @GroupThreads(1)
    public int edgekdTwoClasses(TwoClasses e) {
        return e.classify();
    }

    /** @param e edgekd on the student @return the top class */
    @Benchmark
    @Group("reference")
    @GroupThreads(1)
    public int edgekdStudent(Main e) {
        return e.classify();
    }

    /** @param e edgekd on the MobileNetV2 reference @return the top class */
    @Benchmark
    @Group("reference")
    @GroupThreads(1)
    public int edgekdMobileNetV2(Reference e) {
        return e.classify();
    }
}
