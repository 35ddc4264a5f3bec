/** Pictures of evaluation results drawn with java.awt (no chart library): the confusion matrix. */
package io.edgekd.examples.report;
