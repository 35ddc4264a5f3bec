/**
 * Labelled 8-bit image datasets in plain Java: one in-memory representation
 * ({@link io.edgekd.core.dataset.ImageDataset}) shared by every module, readers for IDX files
 * (MNIST, Fashion-MNIST) and class-per-folder image trees (the Dogs vs. Cats layout), a seeded synthetic
 * generator, and views for class subsets, relabelling, stratified splits, shuffling and batching that never
 * copy pixels.
 */
package io.edgekd.core.dataset;
