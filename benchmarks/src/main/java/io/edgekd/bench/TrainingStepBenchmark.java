package io.edgekd.bench;

import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
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
 * One DL4J training step ({@code MultiLayerNetwork.fit} on one minibatch: forward, backward, Adam update) of the
 * default student or teacher at 28x28x1, 10 classes, with DL4J's oneDNN layer helpers on (as {@code train} runs).
 * Images per second = batch ÷ the time per operation. This is the measurement behind the training layout and batch
 * defaults ({@code TrainingOptions.DEFAULT_DATA_FORMAT}): both layouts give the same gradients
 * ({@code DataFormatTest}), so the faster one is the default.
 *
 * <pre>
 * OMP_NUM_THREADS=2 benchmarks/run.sh TrainingStepBenchmark -p format=NCHW,NHWC -p batch=64,256
 * </pre>
 *
 * <p>{@code stemStride} 2 measures the student with a strided stem at 28x28 (a quarter of the multiply-accumulates,
 * lower accuracy), which the automatic stem keeps for inputs of at least 64 pixels.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g", "-Dorg.eclipse.deeplearning4j.helpers.disable=false"})
@State(Scope.Thread)
public class TrainingStepBenchmark {
    /** {@code student} or {@code teacher} (width 0.5, the quickstart's). */
    @Param({"student"})
    public String network;

    /** The network's input layout. */
    @Param({"NCHW", "NHWC"})
    public String format;

    /** Minibatch size. */
    @Param({"64", "256"})
    public int batch;

    /** Student stem stride: 0 chooses from the input size (1 at 28x28), or 1 or 2. */
    @Param({"0"})
    public int stemStride;

    private MultiLayerNetwork net;
    private DataSet data;

    @Setup(Level.Trial)
    public void setUp() {
        TrainingBackend.init();
        CNN2DFormat f = CNN2DFormat.valueOf(format);
        NetworkFamily family = network.equals("teacher") ? TeacherNetwork.builder().width(0.5).build()
                : StudentNetwork.builder().stemStride(stemStride).build();
        net = Networks.build(family, new InputShape(1, 28, 28), 10, new Adam(1e-3), 0, 42, new SoftmaxCrossEntropyLoss(), f);
        if (TrainingBackend.init().oneDnnBuild() && TrainingBackend.activeOneDnnHelpers(net) == 0) {
            throw new IllegalStateException("expected DL4J's oneDNN helpers on the oneDNN build, found none");
        }
        Nd4j.getRandom().setSeed(42);
        INDArray x = f == CNN2DFormat.NCHW ? Nd4j.rand(batch, 1, 28, 28) : Nd4j.rand(batch, 28, 28, 1);
        INDArray y = Nd4j.zeros(batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1);
        }
        data = new DataSet(x, y);
    }

    /** @return the score, so that the step is not dead code */
    @Benchmark
    public double fit() {
        net.fit(data);
        TrainingBackend.releaseNativeGarbage();
        return net.score();
    }
}
