/**
 * Training loops: optimiser settings, the epoch loop with validation, learning curves, early stopping,
 * checkpoints and resume, for teachers and students alike.
 */
package io.edgekd.train.training;
