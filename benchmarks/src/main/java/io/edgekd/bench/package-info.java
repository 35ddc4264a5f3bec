/**
 * JMH benchmarks of the edge runtime ({@code EdgeClassifier}) against the bare pinned ONNX Runtime call it wraps and
 * what a Java program would use instead (ONNX Runtime the usual way, DJL, DL4J, OpenCV DNN), on real edgekd networks
 * at camera input sizes and a MobileNetV2-shaped reference; side-by-side pairs for fair ratios on shared machines;
 * a direct-memory profiler; the report that turns JMH's JSON into the verdict; and a soak run for resident memory.
 */
package io.edgekd.bench;
