package io.edgekd.train.training;

/**
 * Training could not go on: the loss became NaN or infinite, a checkpoint could not be written or read, the
 * teacher and the student's data disagree. The message says what happened and, where there is one, which
 * checkpoint holds the last good state.
 */
public final class TrainingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public TrainingException(String message) {
        super(message);
    }

    /**
     * @param message what happened
     * @param cause   the underlying failure
     */
    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
