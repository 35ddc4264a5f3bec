package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;
import io.edgekd.examples.source.VideoFrame;

/**
 * Called by the frame loop on its own thread after each frame is classified and drawn on, before the next is
 * taken: for programs that embed the loop and for tests. It must not keep the frame or the result (both are
 * reused) and should not allocate if the loop is to stay allocation-free.
 */
@FunctionalInterface
public interface FrameListener {
    /**
     * @param frame   the frame, with the overlay drawn when there is an output
     * @param top     its classification
     * @param inferNanos preprocessing and inference time
     */
    void onFrame(VideoFrame frame, Classification top, long inferNanos);
}
