/**
 * Knowledge distillation (Hinton, Vinyals &amp; Dean 2015, "Distilling the knowledge in a neural network"): the
 * loss with its analytic gradient, the cached teacher logits, and the distiller that trains a student from a
 * teacher, optionally starting from the teacher's weights (transfer learning).
 */
package io.edgekd.train.distill;
