package io.edgekd.examples.output;

import io.edgekd.examples.source.VideoFrame;

/**
 * Receives every frame the loop classified, after the overlay is drawn.
 *
 * <p>Thread safety: {@link #write(VideoFrame)} from one thread (the frame loop). Ownership: the frame stays the
 * caller's; an output copies or encodes it before returning. {@link #close()} finishes the output (an MP4 gets
 * its trailer and is moved into place) and is idempotent.
 */
public interface FrameOutput extends AutoCloseable {
    /**
     * @param frame the frame to show or store
     * @throws OutputException when it cannot be written
     */
    void write(VideoFrame frame) throws OutputException;

    /** @return whether the person watching asked to stop (closed the window) */
    default boolean stopRequested() {
        return false;
    }

    /**
     * Finishes the output.
     *
     * @throws OutputException when finishing fails (the file would not play)
     */
    @Override
    void close() throws OutputException;
}
