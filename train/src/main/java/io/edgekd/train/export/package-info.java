/**
 * ONNX export: turns a trained DL4J network and its model spec into an opset-17 ONNX file that the edge runtime
 * opens on its own (the spec travels in the model's metadata), optionally with batch norm kept as nodes, a
 * logits output, and camera-frame preprocessing fused into the graph; every export is checked in ONNX Runtime
 * against the DL4J network before it is reported as done.
 */
package io.edgekd.train.export;
