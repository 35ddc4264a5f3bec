package io.edgekd.core.spec;

/**
 * Model metadata that cannot be read as a {@link ModelSpec}: a required key is missing, or a value is
 * malformed. The message names the key, what was expected and what was found.
 */
public final class ModelSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the metadata key at fault
     * @param message what was expected and what was found
     */
    public ModelSpecException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** @return the metadata key at fault */
    public String key() {
        return key;
    }
}
