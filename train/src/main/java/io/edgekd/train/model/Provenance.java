package io.edgekd.train.model;

import io.edgekd.core.spec.ModelSpec;

import java.util.Optional;

/**
 * The provenance keys edgekd-train writes into a model's spec (and so into the exported ONNX file's metadata,
 * under {@code edgekd.provenance.}): how, from what and with what result a model was trained (house rule 8). This
 * class is the one place their names are spelt.
 *
 * <p>Thread safety: stateless.
 */
public final class Provenance {
    /** {@code supervised}, {@code fine-tune}, {@code distillation} or {@code distillation+transfer}. */
    public static final String TRAIN_METHOD = "train.method";
    /** The network family's description. */
    public static final String NETWORK = "network";
    /** The optimiser's description. */
    public static final String OPTIMIZER = "optimizer";
    /** The run's seed. */
    public static final String SEED = "seed";
    /** Where the training data came from. */
    public static final String TRAIN_DATA = "train.data";
    /** SHA-256 fingerprint of the training data. */
    public static final String TRAIN_DATA_FINGERPRINT = "train.data.fingerprint";
    /** Training examples. */
    public static final String TRAIN_EXAMPLES = "train.examples";
    /** Epochs run. */
    public static final String TRAIN_EPOCHS = "train.epochs";
    /** Minibatch updates run. */
    public static final String TRAIN_ITERATIONS = "train.iterations";
    /** Minibatch size. */
    public static final String TRAIN_BATCH_SIZE = "train.batch_size";
    /**
     * How minibatches updated the network when not on a single device, e.g.
     * {@code ParallelWrapper 2 workers, averaging every 1, prefetch 2}; absent for single-device training.
     */
    public static final String TRAIN_FITTER = "train.fitter";
    /** Augmentation description. */
    public static final String TRAIN_AUGMENTATION = "train.augmentation";
    /** Training seconds. */
    public static final String TRAIN_SECONDS = "train.seconds";
    /** The epoch whose weights were kept. */
    public static final String TRAIN_BEST_EPOCH = "train.best_epoch";
    /** The iteration whose weights were kept (keep-best). */
    public static final String TRAIN_BEST_ITERATION = "train.best_iteration";
    /** Layers frozen while training. */
    public static final String TRAIN_FROZEN_LAYERS = "train.frozen_layers";
    /** What the batches were trained towards ({@code one-hot}, or the teacher's soft targets and how they were made). */
    public static final String TRAIN_TARGETS = "train.targets";
    /** SHA-256 fingerprint of the validation data. */
    public static final String VALIDATION_DATA_FINGERPRINT = "validation.data.fingerprint";
    /** Validation accuracy of the returned weights. */
    public static final String VALIDATION_ACCURACY = "metrics.validation.accuracy";
    /** Validation log loss of the returned weights. */
    public static final String VALIDATION_LOG_LOSS = "metrics.validation.log_loss";
    /** Comma-separated names of the layers transferred from the teacher. */
    public static final String TRANSFER_LAYERS = "transfer.layers";
    /** Distillation temperature. */
    public static final String KD_TEMPERATURE = "kd.temperature";
    /** Weight of the soft term. */
    public static final String KD_ALPHA = "kd.alpha";
    /** The teacher's network description. */
    public static final String KD_TEACHER = "kd.teacher";
    /** The teacher's training-data fingerprint ({@code unknown} for a teacher trained elsewhere). */
    public static final String KD_TEACHER_DATA_FINGERPRINT = "kd.teacher.data.fingerprint";
    /** The teacher's validation accuracy as recorded in its file ({@code unknown} when it records none). */
    public static final String KD_TEACHER_ACCURACY = "kd.teacher.accuracy";
    /** How the teacher's outputs were obtained: cached once, or per augmented view; logits or log-probabilities. */
    public static final String KD_TEACHER_LOGITS = "kd.teacher_logits";
    /** Written where a value is not recorded by the model it would come from. */
    public static final String UNKNOWN = "unknown";

    private Provenance() {
    }

    /**
     * @param spec a model's spec
     * @param key  one of the keys above
     * @return its value
     * @throws IllegalArgumentException when the spec does not record it
     */
    public static String require(ModelSpec spec, String key) {
        String v = spec.provenance().get(key);
        if (v == null) {
            throw new IllegalArgumentException("model provenance: expected the key '" + key + "', found only " + spec.provenance().keySet());
        }
        return v;
    }

    /**
     * For models that may come from elsewhere (a teacher exported by another tool records nothing of ours).
     *
     * @param spec a model's spec
     * @param key  a key
     * @return its value, if recorded
     */
    public static Optional<String> find(ModelSpec spec, String key) {
        return Optional.ofNullable(spec.provenance().get(key));
    }
}
