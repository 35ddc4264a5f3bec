/**
 * From model outputs to answers: numerically stable softmax, argmax and top-k into reusable result objects,
 * without allocating per call.
 */
package io.edgekd.core.classify;
