package io.edgekd.train.training;

import io.edgekd.core.metrics.Evaluation;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.report.LearningCurve;

import java.util.List;

/**
 * What a training run produced and what it cost.
 *
 * @param model              the trained model (the best epoch's weights when early stopping was on)
 * @param curve              the learning curve
 * @param validation         the returned model on the validation set
 * @param epochs             epochs completed
 * @param iterations         minibatch updates
 * @param fitSeconds         time spent building batches and updating weights (validation and checkpoints excluded)
 * @param wallSeconds        the whole run, teacher logits, validation and checkpoints included
 * @param teacherSeconds     time spent computing teacher logits (0 without a teacher)
 * @param imagesPerSecond    training images per second of {@code fitSeconds}
 * @param bestEpoch          the epoch whose weights were returned (1-based)
 * @param stoppedEarly       whether early stopping ended the run
 * @param transferredLayers  layers whose weights came from another model before training
 */
public record TrainingResult(TrainedModel model, LearningCurve curve, Evaluation validation, int epochs, long iterations,
                             double fitSeconds, double wallSeconds, double teacherSeconds, double imagesPerSecond, int bestEpoch,
                             boolean stoppedEarly, List<String> transferredLayers) {
}
