package io.edgekd.bench;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
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

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * DJL (Deep Java Library) 0.38 with its ONNX Runtime engine on the same ONNX file, input and intra-op threads as
 * edgekd: {@code Predictor.predict} with a pure-Java {@link Translator} (float array in, {@code NDArray} from a
 * wrapped buffer, probabilities out as a float array; no batchifier, no image library). DJL runs in offline mode
 * ({@code ai.djl.offline=true}: nothing is downloaded) on the very ONNX Runtime build edgekd uses: the parent POM's
 * dependencyManagement pins {@code com.microsoft.onnxruntime:onnxruntime} and Maven applies that to DJL's
 * transitive dependency.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-Xss4m", "-Dai.djl.offline=true"})
@State(Scope.Thread)
public class DjlBenchmark {
    /** {@code student}, {@code teacher} or {@code mobilenetv2}. */
    @Param({"student"})
    public String model;

    /** {@code CxHxW}. */
    @Param({"1x28x28"})
    public String input;

    /** Classes. */
    @Param({"10"})
    public int classes;

    /** ONNX Runtime intra-op threads. */
    @Param({"1"})
    public int threads;

    private ZooModel<float[], float[]> zoo;
    private Predictor<float[], float[]> predictor;
    private float[] x;

    /** @throws Exception if DJL cannot load the model */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        InputShape shape = BenchModels.shape(input);
        Path file = BenchModels.onnx(model, input, classes, false);
        x = PeerInput.floats(shape);
        Shape s = new Shape(1, shape.channels(), shape.height(), shape.width());
        Criteria<float[], float[]> criteria = Criteria.builder()
                .setTypes(float[].class, float[].class)
                .optModelPath(file)
                .optEngine("OnnxRuntime")
                .optTranslator(new FloatTranslator(s))
                .optOption("intraOpNumThreads", Integer.toString(threads))
                .optOption("interOpNumThreads", "1")
                .optOption("optLevel", "ALL_OPT")
                .build();
        zoo = criteria.loadModel();
        predictor = zoo.newPredictor();
        for (int i = 0; i < 10; i++) {
            predictor.predict(x);
        }
    }

    /** Closes the predictor and model. */
    @TearDown(Level.Trial)
    public void tearDown() {
        predictor.close();
        zoo.close();
    }

    /** @return a probability @throws TranslateException if the run fails */
    @Benchmark
    public float djlPredict() throws TranslateException {
        return predictor.predict(x)[0];
    }

    /** Float array in, first output as a float array out. */
    private record FloatTranslator(Shape shape) implements Translator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] in) {
            return new NDList(ctx.getNDManager().create(FloatBuffer.wrap(in), shape));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.get(0).toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }
    }
}
