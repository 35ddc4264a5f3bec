/**
 * The edge runtime: an image classifier on ONNX Runtime that reads its contract from the model file,
 * preallocates its tensors at open and allocates nothing of its own per frame.
 *
 * <p>Start at {@link io.edgekd.runtime.EdgeClassifier}. This package depends on {@code edgekd-core} and
 * ONNX Runtime only.
 */
package io.edgekd.runtime;
