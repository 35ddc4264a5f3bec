/**
 * What is drawn on each frame: the top classes with their confidence, the inference time and the end-to-end
 * frame rate, in the manner of jetson-inference's {@code imagenet}, drawn straight into the frame's buffer from
 * glyphs rendered once, so drawing allocates nothing per frame.
 */
package io.edgekd.examples.overlay;
