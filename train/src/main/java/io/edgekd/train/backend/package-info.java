/** Setting up ND4J for training: native build selection, oneDNN layer helpers, threads. */
package io.edgekd.train.backend;
