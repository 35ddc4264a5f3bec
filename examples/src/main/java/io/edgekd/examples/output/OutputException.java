package io.edgekd.examples.output;

/** An output that cannot be opened or written: no display, a folder that does not exist, a full disk. */
public final class OutputException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public OutputException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause   the underlying failure
     */
    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
