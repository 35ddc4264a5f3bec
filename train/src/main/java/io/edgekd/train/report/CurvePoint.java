package io.edgekd.train.report;

/**
 * One point of a learning curve.
 *
 * @param iteration          training iterations (minibatches) so far
 * @param epoch              epoch the point was taken in (fractional: 1.5 is half-way through the second epoch)
 * @param trainLoss          mean training loss since the previous point
 * @param validationAccuracy accuracy on the validation set
 * @param validationLogLoss  log loss on the validation set
 * @param seconds            training seconds so far (validation excluded)
 */
public record CurvePoint(long iteration, double epoch, double trainLoss, double validationAccuracy, double validationLogLoss,
                         double seconds) {
}
