/**
 * Training on several devices of one machine: {@link io.edgekd.train.parallel.ParallelWrapperFitter} plugs DL4J's
 * ParallelWrapper (one replica per GPU or CPU worker, parameter averaging) into the training loop as its
 * {@link io.edgekd.train.training.BatchFitter}. Depends on {@code training}; nothing below it depends on this.
 */
package io.edgekd.train.parallel;
