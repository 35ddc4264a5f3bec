/**
 * Feeding core {@link io.edgekd.core.dataset.ImageDataset}s to DL4J: normalised NCHW batches with one-hot
 * labels (and cached teacher logits for distillation), and seeded augmentation.
 */
package io.edgekd.train.data;
