/**
 * Small programs on the edge runtime: {@link io.edgekd.examples.ClassifyImages} for picture files and labelled
 * folders, and the camera demo in {@link io.edgekd.examples.camera}.
 */
package io.edgekd.examples;
