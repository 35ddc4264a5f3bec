/**
 * A layer-level description of an image classifier, independent of any framework, and its cost: output shape,
 * parameters and multiply-accumulates per layer for any input size. The trainer describes its DL4J networks
 * this way, the ONNX exporter walks the same description, and reports and benchmarks quote its numbers.
 */
package io.edgekd.core.network;
