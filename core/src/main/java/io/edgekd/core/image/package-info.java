/**
 * Frame preprocessing: packed 8-bit pixels from a camera, a decoder or a dataset, of any size, into the
 * tensor layout a model takes, in caller-owned buffers and without allocating per frame.
 */
package io.edgekd.core.image;
