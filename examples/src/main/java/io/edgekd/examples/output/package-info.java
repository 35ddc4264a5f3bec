/**
 * Where frames go after they are classified and drawn on: a window ({@code display://0}), a video file
 * ({@code file://out.mp4}) or numbered pictures ({@code file://frame_%i.jpg}), named as jetson-inference's
 * {@code videoOutput} names them.
 */
package io.edgekd.examples.output;
