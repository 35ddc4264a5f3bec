package io.edgekd.runtime;

/**
 * ONNX Runtime failed while running a model that opened fine (for example, the GPU ran out of memory).
 * Unchecked, because the per-frame path should not force a {@code try} around every call for a failure
 * that a correct program sees only when the device itself is in trouble.
 */
public final class InferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause   ONNX Runtime's exception
     */
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
