package io.edgekd.bench;

import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.network.InputShape;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The same network in Deeplearning4j, the framework it was trained in: {@code MultiLayerNetwork.output(x)} on the
 * DL4J model the ONNX file was exported from (same weights), the input held in an {@code INDArray} made once.
 * ND4J's thread count is set to {@code threads}; the benchmark scripts also start the JVM with
 * {@code OMP_NUM_THREADS} equal to it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-Xss4m"})
@State(Scope.Thread)
public class Dl4jBenchmark {
    /** {@code student} or {@code teacher}. */
    @Param({"student"})
    public String model;

    /** {@code CxHxW}. */
    @Param({"1x28x28"})
    public String input;

    /** Classes. */
    @Param({"10"})
    public int classes;

    /** ND4J threads. */
    @Param({"1"})
    public int threads;

    private MultiLayerNetwork net;
    private INDArray x;

    /** @throws Exception if the model cannot be read */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TrainingBackend.init();
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        InputShape shape = BenchModels.shape(input);
        net = ModelSerializer.restoreMultiLayerNetwork(BenchModels.dl4j(model, input, classes).toFile(), false);
        x = Nd4j.create(PeerInput.floats(shape), new long[] {1, shape.channels(), shape.height(), shape.width()}, 'c');
        for (int i = 0; i < 5; i++) {
            net.output(x);
        }
    }

    /** @return a probability */
    @Benchmark
    public float dl4jOutput() {
        return net.output(x).getFloat(0);
    }
}
