/** Evaluating DL4J networks on core datasets with core metrics, so training and runtime numbers compare. */
package io.edgekd.train.eval;
