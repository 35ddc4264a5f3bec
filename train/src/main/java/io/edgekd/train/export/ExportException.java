package io.edgekd.train.export;

/**
 * A model that cannot be exported to ONNX, or whose export failed its check: an unsupported layer or setting
 * (the message names the layer index, type and the supported set), a network without an output layer, a spec
 * that disagrees with the network, an output path in a missing folder, a write that failed, or an exported
 * graph whose outputs in ONNX Runtime differ from DL4J's. The message says what was expected and what was
 * found; the cause, when there is one, is attached. No file is left behind when it is thrown.
 */
public final class ExportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what was found */
    public ExportException(String message) {
        super(message);
    }

    /**
     * @param message what was expected and what was found
     * @param cause   the underlying failure
     */
    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
