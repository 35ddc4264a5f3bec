package io.edgekd.core.dataset;

/**
 * A dataset that cannot be read: a missing path, a truncated or foreign file, an empty class folder, images
 * and labels that disagree. The message says what was expected and what was found, and names the file.
 */
public final class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what was found */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * @param message what was expected and what was found
     * @param cause   the underlying failure
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
