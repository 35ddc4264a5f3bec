package io.edgekd.examples.source;

/**
 * Hands frames from the grab thread to the classifying thread through three preallocated slots (a triple
 * buffer): the writer fills one, the reader works on another, the third holds the newest finished frame.
 *
 * <p>For a live input the writer never waits: when it finishes a frame before the reader took the previous
 * one, the previous one is dropped and counted, so a slow model shows an older picture less often instead of
 * an ever older picture. For a file the writer waits for the reader instead (every frame is classified).
 * No allocation per frame; the slots are swapped, never copied.
 *
 * <p>Thread safety: one writer thread ({@link #writable()}, {@link #publish()}, {@link #finish}) and one
 * reader thread ({@link #take(long)}); {@link #stop()} from any thread.
 */
public final class FrameExchange {
    private final boolean dropWhenBusy;
    private VideoFrame writer;
    private VideoFrame middle;
    private VideoFrame reader;
    private boolean ready;
    private boolean ended;
    private boolean stopped;
    private SourceException failure;
    private long drops;
    private long published;

    /**
     * @param capacity     bytes per slot to begin with
     * @param dropWhenBusy true for live inputs (latest frame only), false to deliver every frame
     */
    public FrameExchange(int capacity, boolean dropWhenBusy) {
        this.dropWhenBusy = dropWhenBusy;
        this.writer = new VideoFrame(capacity);
        this.middle = new VideoFrame(capacity);
        this.reader = new VideoFrame(capacity);
    }

    /** @return the slot the writer fills next; valid until {@link #publish()} */
    public VideoFrame writable() {
        return writer;
    }

    /**
     * Makes the writer's slot the newest frame. For a lossless exchange, waits while the previous frame is
     * untaken.
     *
     * @return false when the exchange was stopped (the writer should end)
     * @throws InterruptedException if the writer is interrupted while waiting
     */
    public synchronized boolean publish() throws InterruptedException {
        if (!dropWhenBusy) {
            while (ready && !stopped) {
                wait();
            }
        }
        if (stopped) {
            return false;
        }
        if (ready) {
            drops++;
        }
        VideoFrame t = middle;
        middle = writer;
        writer = t;
        ready = true;
        published++;
        notifyAll();
        return true;
    }

    /**
     * Marks the end of the input: the reader gets the frames still waiting, then null.
     *
     * @param error why it ended, or null for a normal end of stream
     */
    public synchronized void finish(SourceException error) {
        ended = true;
        failure = error;
        notifyAll();
    }

    /**
     * Waits for the next frame.
     *
     * @param timeoutNanos how long to wait at most
     * @return the frame, valid until the next {@code take}; null at the end, after {@link #stop()}, or when the
     *         time ran out (tell them apart with {@link #isEnded()} and {@link #isStopped()})
     * @throws InterruptedException if the reader is interrupted
     */
    public synchronized VideoFrame take(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!ready && !ended && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
        if (stopped || !ready) {
            return null;
        }
        VideoFrame t = reader;
        reader = middle;
        middle = t;
        ready = false;
        notifyAll();
        return reader;
    }

    /** Wakes both sides and makes them end. Idempotent. */
    public synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /** @return whether the writer said the input ended */
    public synchronized boolean isEnded() {
        return ended;
    }

    /** @return whether {@link #stop()} was called */
    public synchronized boolean isStopped() {
        return stopped;
    }

    /** @return why the input ended, or null */
    public synchronized SourceException failure() {
        return failure;
    }

    /** @return frames the writer finished that the reader never took */
    public synchronized long drops() {
        return drops;
    }

    /** @return frames the writer finished */
    public synchronized long published() {
        return published;
    }
}
