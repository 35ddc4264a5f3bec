/**
 * What people look at: learning curves (the numbers, as CSV, and as PNG pictures), confusion-matrix pictures,
 * console progress bars, JSON and machine descriptions for reports.
 */
package io.edgekd.train.report;
