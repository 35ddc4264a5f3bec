/**
 * Checks that the edge runtime computes the same thing on every CPU it ships to: {@link io.edgekd.platform.ProbabilityDump}
 * writes every output probability of a model over a test set, {@link io.edgekd.platform.ProbabilityComparison}
 * compares two such dumps (x86_64 against an ARM CPU, emulated or real) within a tolerance.
 */
package io.edgekd.platform;
