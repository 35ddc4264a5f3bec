package io.edgekd.train.model;

/**
 * A model file that cannot be read: missing, not a DL4J model zip, without edgekd's spec, or naming a class
 * (a loss function, say) that this version of edgekd does not have. The message says which.
 */
public final class ModelFileException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what was found */
    public ModelFileException(String message) {
        super(message);
    }

    /**
     * @param message what was expected and what was found
     * @param cause   the underlying failure
     */
    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
