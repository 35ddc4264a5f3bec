/**
 * Frame preprocessing: packed 8-bit pixels from a camera, a decoder or a dataset, of any size, into the
 * tensor layout a model takes, in caller-owned buffers and without allocating per frame; and
 * {@link io.edgekd.core.image.BufferedImagePixels}, the one way a decoded picture becomes such packed pixels.
 */
package io.edgekd.core.image;
