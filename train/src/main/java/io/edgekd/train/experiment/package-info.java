/**
 * The experiments the command line runs end to end — the quickstart and the reproduction of Jaiswal &amp;
 * Gajjar's tables on Fashion-MNIST: train teachers and students, export and check them, time them in DL4J and
 * in the edge runtime, and write the report (Markdown, JSON, PNG).
 */
package io.edgekd.train.experiment;
