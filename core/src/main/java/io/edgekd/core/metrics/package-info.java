/**
 * Classification metrics: accuracy, log loss and the confusion matrix with per-class precision, recall and
 * F1. The same code scores DL4J networks during training and ONNX models in the edge runtime, so the numbers
 * in a report are comparable.
 */
package io.edgekd.core.metrics;
