/**
 * The network families — a high-capacity teacher and a MobileNet-style student sharing a stem block — built as
 * Deeplearning4j configurations, and the walk that describes any supported DL4J network layer by layer (for
 * cost counting and ONNX export).
 */
package io.edgekd.train.network;
