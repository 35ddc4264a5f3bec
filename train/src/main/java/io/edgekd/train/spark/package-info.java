/**
 * Training on several machines: {@link io.edgekd.train.spark.SparkFitter} plugs DL4J's Spark integration
 * (ParameterAveragingTrainingMaster) into the training loop as its {@link io.edgekd.train.training.BatchFitter}.
 * Spark itself is a {@code provided} dependency: a cluster's {@code spark-submit} supplies it. Depends on
 * {@code training}; nothing below it depends on this.
 */
package io.edgekd.train.spark;
