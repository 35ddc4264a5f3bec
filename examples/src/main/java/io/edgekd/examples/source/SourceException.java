package io.edgekd.examples.source;

/**
 * An input that cannot be opened or that failed while it was read: a missing, busy or unplugged camera, a stream
 * that stalls, a file that is not a video. The message is one line for a person, already free of credentials.
 */
public final class SourceException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, without credentials */
    public SourceException(String message) {
        super(message);
    }

    /**
     * @param message what failed, without credentials
     * @param cause   the underlying failure (its own message may hold a URI; do not print it unredacted)
     */
    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
