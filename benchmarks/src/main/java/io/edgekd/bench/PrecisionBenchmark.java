package io.edgekd.bench;

import io.edgekd.core.spec.Precision;
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

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Float32 against int8 (and float16) for the same student: one {@code EdgeRunner.run()} on an input already in the
 * pinned tensor, batch 1, with 1 and 2 intra-op threads, all graph optimisations (so ONNX Runtime fuses the int8
 * QDQ groups into QLinearConv/QGemm). The models come from {@link PrecisionModels}; build them first
 * ({@code java -cp ... io.edgekd.bench.PrecisionModels 3 224}) so that forks do not race to export them.
 *
 * <pre>
 * benchmarks/run.sh PrecisionBenchmark -p size=224 -p threads=1,2 -p precision=float32,int8 -rf json -rff precision.json
 * </pre>
 *
 * <p>Float16 is a GPU format: on a CPU session ONNX Runtime wraps nodes it has no float16 kernel for in casts, so its
 * CPU time says nothing about a Jetson; it is here to show the file opens and runs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class PrecisionBenchmark {
    /** {@code float32}, {@code float16}, {@code int8} (symmetric activations) or {@code int8-unsigned}. */
    @Param({"float32", "int8", "int8-unsigned"})
    public String precision;

    @Param({"1", "2"})
    public int threads;

    @Param({"224"})
    public int size;

    @Param({"3"})
    public int channels;

    /**
     * {@code student} (the default student at this input size), {@code student-unstrided} (the first measurement's:
     * stride-1 stem, 2 stages), or {@code teacher} for a network of dense 3x3 convolutions.
     */
    @Param({"student"})
    public String network;

    private EdgeClassifier classifier;
    private EdgeRunner runner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Precision p = PrecisionModels.Variant.parse(precision).precision;
        classifier = EdgeClassifier.open(PrecisionModels.model(network, precision, channels, size),
                EdgeOptions.builder().intraOpThreads(threads).interOpThreads(1).spinning(false).warmupRuns(5).build());
        if (classifier.spec().precision() != p) {
            throw new IllegalStateException("expected a " + p.key() + " model, found " + classifier.spec().precision().key());
        }
        runner = classifier.runner();
        FloatBuffer in = runner.inputFloats();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < in.capacity(); i++) {
            in.put(i, (float) r.nextGaussian());
        }
        runner.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        classifier.close();
    }

    @Benchmark
    public float run() {
        runner.run();
        return runner.probability(0, 0);
    }
}
