package io.edgekd.bench;

import io.edgekd.train.network.InputShape;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
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

import java.util.concurrent.TimeUnit;

/**
 * OpenCV's DNN module through JavaCV's presets (OpenCV 4.13): {@code readNetFromONNX} on the same ONNX file, the
 * OpenCV backend on the CPU, {@code cv::setNumThreads(threads)}, the preprocessed input in a {@code 1xCxHxW} float
 * {@code Mat} made once, then {@code setInput} + {@code forward} per frame (the output {@code Mat} is released at
 * once rather than left to the garbage collector).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-Xss4m"})
@State(Scope.Thread)
public class OpenCvDnnBenchmark {
    /** {@code student}, {@code teacher} or {@code mobilenetv2}. */
    @Param({"student"})
    public String model;

    /** {@code CxHxW}. */
    @Param({"1x28x28"})
    public String input;

    /** Classes. */
    @Param({"10"})
    public int classes;

    /** OpenCV threads. */
    @Param({"1"})
    public int threads;

    private Net net;
    private Mat blob;

    /** @throws Exception if OpenCV cannot read the model */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        InputShape shape = BenchModels.shape(input);
        String file = BenchModels.onnx(model, input, classes, false).toString();
        opencv_core.setNumThreads(threads);
        net = opencv_dnn.readNetFromONNX(file);
        if (net == null || net.empty()) {
            throw new IllegalStateException("OpenCV DNN: expected a network from " + file + ", found an empty one");
        }
        net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
        blob = new Mat(new int[] {1, shape.channels(), shape.height(), shape.width()}, opencv_core.CV_32F);
        new FloatPointer(blob.data()).put(PeerInput.floats(shape));
        for (int i = 0; i < 5; i++) {
            opencvForward();
        }
    }

    /** Releases the network and input. */
    @TearDown(Level.Trial)
    public void tearDown() {
        blob.close();
        net.close();
    }

    /** @return a probability */
    @Benchmark
    public float opencvForward() {
        net.setInput(blob);
        try (Mat out = net.forward()) {
            return new FloatPointer(out.data()).get(0);
        }
    }
}
