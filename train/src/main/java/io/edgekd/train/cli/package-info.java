/**
 * The edgekd-train command line.
 */
package io.edgekd.train.cli;
