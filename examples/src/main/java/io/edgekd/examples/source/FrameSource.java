package io.edgekd.examples.source;

/**
 * An opened input that delivers frames into caller-owned {@link VideoFrame} slots.
 *
 * <p>Thread safety: {@link #read(VideoFrame)} and {@link #rewind()} are called from one thread (the grab
 * thread); {@link #close()} may be called from another to stop it and must then make a blocked {@code read}
 * return or fail soon. Ownership: the source owns its native resources; close it (idempotent).
 */
public interface FrameSource extends AutoCloseable {
    /**
     * Reads the next frame into {@code into}: pixels, size, stride, format and stamps.
     *
     * @param into the slot to fill
     * @return false at the end of the input
     * @throws SourceException when the input fails (unplugged camera, stalled stream, unreadable file)
     */
    boolean read(VideoFrame into) throws SourceException;

    /**
     * Starts the input again from its beginning, for {@code --input-loop}.
     *
     * @throws SourceException if it cannot restart
     * @throws UnsupportedOperationException for live inputs
     */
    void rewind() throws SourceException;

    /** @return whether the input is live (a camera or a network stream: frames are dropped, not queued) */
    boolean isLive();

    /** @return frame width the source delivers (of its first frame) */
    int width();

    /** @return frame height the source delivers (of its first frame) */
    int height();

    /** @return frames per second the source announces, or 0 when unknown */
    double frameRate();

    /** @return what the source reads, for messages: credentials are never part of it */
    String description();

    /** Stops the input and frees what it holds; idempotent. */
    @Override
    void close();
}
