/**
 * JMH benchmarks of the edge runtime ({@code EdgeClassifier}) against the bare pinned ONNX Runtime call it wraps and
 * the usual ways a Java program calls ONNX Runtime, on real edgekd networks, plus a soak run for resident memory.
 */
package io.edgekd.bench;
