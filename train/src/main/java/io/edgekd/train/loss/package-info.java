/**
 * The loss functions every edgekd network trains with, on logits (an output layer with IDENTITY activation):
 * softmax cross-entropy, and the knowledge-distillation loss of Hinton, Vinyals &amp; Dean (2015, "Distilling the
 * knowledge in a neural network") together with the layout of its labels ({@code [one-hot | teacher logits]}).
 *
 * <p>These classes are stored by name inside saved DL4J models. Files written when they lived in
 * {@code io.edgekd.train.distill} still load: {@code io.edgekd.train.model.TrainedModel} maps the old names.
 */
package io.edgekd.train.loss;
