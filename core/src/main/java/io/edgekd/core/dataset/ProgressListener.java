package io.edgekd.core.dataset;

/**
 * Receives progress of a long operation (reading thousands of images, say) so that a caller can draw a
 * progress bar. Called from the thread doing the work, possibly often; implementations should be cheap.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores progress. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * @param done  units finished so far
     * @param total units in all
     */
    void progress(long done, long total);
}
