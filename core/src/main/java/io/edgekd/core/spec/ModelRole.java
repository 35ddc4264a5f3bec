package io.edgekd.core.spec;

import java.util.Locale;

/**
 * The part a model plays in knowledge distillation.
 *
 * <p>Thread safety: immutable.
 */
public enum ModelRole {
    /** A large network trained to pass its knowledge on. */
    TEACHER,
    /** A small network that learned from a teacher or alone, meant for the device. */
    STUDENT,
    /** A model from elsewhere (for example a plain ONNX classifier opened with an explicit spec). */
    OTHER;

    /** @return the lower-case name used in model metadata */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
