package io.edgekd.core.spec;

import java.util.Locale;

/**
 * What a model's primary output holds.
 *
 * <p>Thread safety: immutable.
 */
public enum OutputKind {
    /** Class probabilities that sum to one (the graph ends in Softmax). */
    PROBABILITIES,
    /** Unnormalised scores; a consumer applies softmax. */
    LOGITS;

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
