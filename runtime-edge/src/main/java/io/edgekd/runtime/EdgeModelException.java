package io.edgekd.runtime;

/**
 * A model that cannot be opened: a missing, empty, truncated or non-ONNX file; a graph whose input is not an
 * image tensor or whose output does not match its labels; edgekd metadata that is missing or malformed; no
 * usable execution provider. The message says what was expected and what was found; the cause, when there
 * is one, is ONNX Runtime's own exception.
 */
public final class EdgeModelException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what was found */
    public EdgeModelException(String message) {
        super(message);
    }

    /**
     * @param message what was expected and what was found
     * @param cause   the underlying failure
     */
    public EdgeModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
