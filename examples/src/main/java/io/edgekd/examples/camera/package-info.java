/**
 * The camera demo ({@code edgekd-camera.jar}): its command line ({@link io.edgekd.examples.camera.DemoOptions}),
 * its two-thread frame loop ({@link io.edgekd.examples.camera.FrameLoop}), the JSON lines log, the stage
 * times, the exit codes, and a sample video maker for machines without a camera.
 */
package io.edgekd.examples.camera;
