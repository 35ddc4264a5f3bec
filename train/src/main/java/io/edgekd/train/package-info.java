/**
 * Training: teacher and student networks in Deeplearning4j, knowledge distillation, transfer learning,
 * evaluation, ONNX export and the {@code edgekd-train} command line. Deeplearning4j is used in this module
 * and nowhere else.
 */
package io.edgekd.train;
