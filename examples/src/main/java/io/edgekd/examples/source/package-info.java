/**
 * Where frames come from: a {@link io.edgekd.examples.source.FrameSource} per kind of input named by a
 * jetson-inference style URI ({@link io.edgekd.examples.source.SourceUri}), the reusable
 * {@link io.edgekd.examples.source.VideoFrame} they fill, and the latest-frame hand-off between the grab thread
 * and the classifying thread ({@link io.edgekd.examples.source.FrameExchange}).
 */
package io.edgekd.examples.source;
