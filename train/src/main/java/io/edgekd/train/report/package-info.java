/**
 * What people look at: console progress bars, learning-curve and confusion-matrix pictures (PNG), and tables.
 */
package io.edgekd.train.report;
