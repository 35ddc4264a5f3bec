package io.edgekd.train.training;

import io.edgekd.train.report.LearningCurve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a run stands after a finished epoch: what a {@code last.zip} checkpoint carries so that a resumed run
 * continues exactly where the interrupted one stopped. This class is the one place its keys are written and read.
 *
 * @param name            the run's name
 * @param seed            the run's seed
 * @param epoch           finished epochs
 * @param iteration       finished minibatch updates
 * @param fitSeconds      training seconds so far (validation excluded)
 * @param bestEpochLoss   the lowest end-of-epoch validation log loss (early stopping)
 * @param badEpochs       epochs since it last fell
 * @param bestPointLoss   the lowest validation log loss at any validation point (keep-best)
 * @param bestIteration   the iteration of that point, 0 before any
 * @param bestEpoch       the epoch that point belongs to (1-based; 0 before any)
 * @param curve           the learning curve so far
 */
public record TrainingState(String name, long seed, int epoch, long iteration, double fitSeconds, double bestEpochLoss, int badEpochs,
                            double bestPointLoss, long bestIteration, int bestEpoch, LearningCurve curve) {
    static final String NAME = "name";
    static final String SEED = "seed";
    static final String EPOCH = "epoch";
    static final String ITERATION = "iteration";
    static final String FIT_SECONDS = "fit_seconds";
    static final String BEST_EPOCH_LOSS = "best_val_log_loss";
    static final String BAD_EPOCHS = "bad_epochs";
    static final String BEST_POINT_LOSS = "best_point_log_loss";
    static final String BEST_ITERATION = "best_iteration";
    static final String BEST_EPOCH = "best_epoch";
    static final String CURVE = "curve";
    private static final List<String> KEYS = List.of(NAME, SEED, EPOCH, ITERATION, FIT_SECONDS, BEST_EPOCH_LOSS, BAD_EPOCHS, BEST_POINT_LOSS,
            BEST_ITERATION, BEST_EPOCH, CURVE);

    /** Validates. */
    public TrainingState {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(curve, "curve");
    }

    /**
     * @param name run name
     * @param seed run seed
     * @return the state before the first epoch
     */
    public static TrainingState start(String name, long seed) {
        return new TrainingState(name, seed, 0, 0, 0, Double.POSITIVE_INFINITY, 0, Double.POSITIVE_INFINITY, 0, 0, new LearningCurve(name));
    }

    /** @return true for a model file that carries a training state (a {@code last.zip}) */
    static boolean isPresent(Map<String, String> state) {
        return state.containsKey(EPOCH);
    }

    /** @return the state as the string map stored in a checkpoint */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NAME, name);
        m.put(SEED, Long.toString(seed));
        m.put(EPOCH, Integer.toString(epoch));
        m.put(ITERATION, Long.toString(iteration));
        m.put(FIT_SECONDS, Double.toString(fitSeconds));
        m.put(BEST_EPOCH_LOSS, Double.toString(bestEpochLoss));
        m.put(BAD_EPOCHS, Integer.toString(badEpochs));
        m.put(BEST_POINT_LOSS, Double.toString(bestPointLoss));
        m.put(BEST_ITERATION, Long.toString(bestIteration));
        m.put(BEST_EPOCH, Integer.toString(bestEpoch));
        m.put(CURVE, curve.toCsv());
        return m;
    }

    /**
     * @param m      a checkpoint's state map
     * @param source where it came from, for messages
     * @return the state
     * @throws TrainingException when a key is missing or a value malformed
     */
    public static TrainingState fromMap(Map<String, String> m, String source) throws TrainingException {
        for (String k : KEYS) {
            if (!m.containsKey(k)) {
                throw new TrainingException("cannot resume from " + source + ": expected the training-state key '" + k + "', found keys "
                        + m.keySet());
            }
        }
        try {
            return new TrainingState(m.get(NAME), Long.parseLong(m.get(SEED)), Integer.parseInt(m.get(EPOCH)), Long.parseLong(m.get(ITERATION)),
                    Double.parseDouble(m.get(FIT_SECONDS)), Double.parseDouble(m.get(BEST_EPOCH_LOSS)), Integer.parseInt(m.get(BAD_EPOCHS)),
                    Double.parseDouble(m.get(BEST_POINT_LOSS)), Long.parseLong(m.get(BEST_ITERATION)), Integer.parseInt(m.get(BEST_EPOCH)),
                    LearningCurve.fromCsv(m.get(NAME), m.get(CURVE)));
        } catch (RuntimeException e) {
            throw new TrainingException("cannot resume from " + source + ": malformed training state (" + e.getMessage() + ")", e);
        }
    }
}
