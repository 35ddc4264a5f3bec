/**
 * Knowledge distillation (Hinton, Vinyals &amp; Dean 2015, "Distilling the knowledge in a neural network"): the
 * teacher's soft targets for each batch ({@link io.edgekd.train.distill.SoftTargets}, from a DL4J teacher or any
 * ONNX classifier, cached once or computed on the very view the student sees), transfer of the teacher's stem,
 * and the {@link io.edgekd.train.distill.Distiller} that trains a student from them. The loss itself lives in
 * {@code io.edgekd.train.loss}.
 */
package io.edgekd.train.distill;
