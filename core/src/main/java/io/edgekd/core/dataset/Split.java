package io.edgekd.core.dataset;

/**
 * A dataset divided in two, sharing the parent's pixels.
 *
 * @param train      the part to learn from
 * @param validation the held-out part
 */
public record Split(ImageDataset train, ImageDataset validation) {
}
