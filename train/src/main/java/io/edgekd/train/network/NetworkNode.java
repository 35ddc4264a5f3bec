package io.edgekd.train.network;

import io.edgekd.core.network.LayerSpec;

import java.util.Map;

/**
 * One operation of a described network, with its weights in ONNX layout:
 * <ul>
 *   <li>{@link LayerSpec.Conv2d}: {@code W} {@code [out, in/groups, kH, kW]}, {@code b} {@code [out]} when it has a bias;</li>
 *   <li>{@link LayerSpec.BatchNorm}: {@code gamma}, {@code beta}, {@code mean}, {@code var} (the variance, whatever DL4J
 *       stores), each {@code [C]};</li>
 *   <li>{@link LayerSpec.Dense}: {@code W} {@code [in, out]} row-major (ONNX Gemm with {@code transB = 0}), {@code b} {@code [out]}.</li>
 * </ul>
 * Several nodes can come from one DL4J layer (a convolution with a built-in activation, a separable convolution).
 *
 * @param layerIndex index of the DL4J layer it came from
 * @param layerName  that layer's name
 * @param spec       the operation
 * @param tensors    its weights by name, row-major float arrays
 */
public record NetworkNode(int layerIndex, String layerName, LayerSpec spec, Map<String, float[]> tensors) {
}
