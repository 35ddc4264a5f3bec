/**
 * Training loops: optimiser settings, the epoch loop with validation, early stopping, checkpoints and resume,
 * for teachers and students alike. The loop knows nothing of teachers: what a batch is trained towards comes from
 * a {@link io.edgekd.train.training.BatchTargets} (one-hot labels here; soft targets from
 * {@code io.edgekd.train.distill}).
 */
package io.edgekd.train.training;
