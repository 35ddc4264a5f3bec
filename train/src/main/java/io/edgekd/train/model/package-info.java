/** Saved models: a DL4J network with its edgekd model spec (labels, input, normalisation, provenance) in one file. */
package io.edgekd.train.model;
