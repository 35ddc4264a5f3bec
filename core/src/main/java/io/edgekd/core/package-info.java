/**
 * The model contract shared by every edgekd module.
 *
 * <p>{@code core} has no third-party runtime dependency. The trainer ({@code edgekd-train}), the ONNX
 * exporter and the edge runtime ({@code edgekd-runtime-edge}) all speak the types defined here:
 * <ul>
 *   <li>{@link io.edgekd.core.spec} — the model's input/output contract and its encoding in ONNX
 *       {@code metadata_props};</li>
 *   <li>{@link io.edgekd.core.image} — frame preprocessing from packed 8-bit pixels into model tensors;</li>
 *   <li>{@link io.edgekd.core.classify} — softmax, argmax and top-k into reusable results;</li>
 *   <li>{@link io.edgekd.core.metrics} — accuracy, log loss, confusion matrix;</li>
 *   <li>{@link io.edgekd.core.network} — a layer-level description of a network and its cost
 *       (parameters and multiply-accumulates);</li>
 *   <li>{@link io.edgekd.core.dataset} — labelled 8-bit image datasets and their readers.</li>
 * </ul>
 */
package io.edgekd.core;
