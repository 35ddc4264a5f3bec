package io.edgekd.train.training;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.PolySchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

import java.util.Locale;
import java.util.Objects;

/**
 * How weights are updated: the optimiser, its learning rate and schedule, momentum and weight decay.
 *
 * <pre>{@code
 * OptimizerConfig adam = OptimizerConfig.adam(1e-3).withSchedule(OptimizerConfig.Schedule.POLY).withWeightDecay(1e-4);
 * }</pre>
 *
 * @param updater      Adam or SGD with Nesterov momentum
 * @param learningRate initial learning rate
 * @param momentum     momentum for SGD (ignored by Adam)
 * @param weightDecay  decoupled weight decay coefficient (0 for none), applied to weights, not biases
 * @param schedule     learning-rate schedule
 * @param stepEpochs   for {@link Schedule#STEP}: epochs between decays
 * @param stepGamma    for {@link Schedule#STEP}: factor applied at each decay
 */
public record OptimizerConfig(Updater updater, double learningRate, double momentum, double weightDecay, Schedule schedule,
                              int stepEpochs, double stepGamma) {
    /** Optimisers. */
    public enum Updater {
        /** Adam (Kingma &amp; Ba 2015). */
        ADAM,
        /** Stochastic gradient descent with Nesterov momentum. */
        SGD
    }

    /** Learning-rate schedules. */
    public enum Schedule {
        /** The initial rate throughout. */
        CONSTANT,
        /** Multiplied by {@code stepGamma} every {@code stepEpochs} epochs. */
        STEP,
        /** Linear decay to zero over the planned iterations (polynomial, power 1). */
        POLY
    }

    /** Validates. */
    public OptimizerConfig {
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(schedule, "schedule");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite value > 0, found " + learningRate);
        }
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum: expected a value in [0, 1), found " + momentum);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weightDecay: expected a value >= 0, found " + weightDecay);
        }
        if (stepEpochs < 1 || !(stepGamma > 0 && stepGamma <= 1)) {
            throw new IllegalArgumentException("step schedule: expected stepEpochs >= 1 and stepGamma in (0, 1], found "
                    + stepEpochs + " and " + stepGamma);
        }
    }

    /** The default learning rate (Adam), the one the quickstart's and the reproduction's students train with. */
    public static final double DEFAULT_LEARNING_RATE = 2e-3;
    /** The default schedule: linear decay to zero over the planned iterations. */
    public static final Schedule DEFAULT_SCHEDULE = Schedule.POLY;
    /** Nesterov momentum for SGD. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** STEP schedule: epochs between decays. */
    public static final int DEFAULT_STEP_EPOCHS = 5;
    /** STEP schedule: decay factor. */
    public static final double DEFAULT_STEP_GAMMA = 0.1;

    /**
     * The one default for the API and the command line: Adam, {@link #DEFAULT_LEARNING_RATE}, {@link #DEFAULT_SCHEDULE},
     * no weight decay.
     *
     * @return the default optimiser
     */
    public static OptimizerConfig defaults() {
        return new OptimizerConfig(Updater.ADAM, DEFAULT_LEARNING_RATE, DEFAULT_MOMENTUM, 0, DEFAULT_SCHEDULE, DEFAULT_STEP_EPOCHS,
                DEFAULT_STEP_GAMMA);
    }

    /** @param learningRate initial rate @return Adam, constant rate, no weight decay */
    public static OptimizerConfig adam(double learningRate) {
        return new OptimizerConfig(Updater.ADAM, learningRate, DEFAULT_MOMENTUM, 0, Schedule.CONSTANT, DEFAULT_STEP_EPOCHS, DEFAULT_STEP_GAMMA);
    }

    /** @param learningRate initial rate @param momentum momentum @return SGD with Nesterov momentum, constant rate */
    public static OptimizerConfig sgd(double learningRate, double momentum) {
        return new OptimizerConfig(Updater.SGD, learningRate, momentum, 0, Schedule.CONSTANT, DEFAULT_STEP_EPOCHS, DEFAULT_STEP_GAMMA);
    }

    /** @param decay weight decay coefficient @return a copy with it */
    public OptimizerConfig withWeightDecay(double decay) {
        return new OptimizerConfig(updater, learningRate, momentum, decay, schedule, stepEpochs, stepGamma);
    }

    /** @param s schedule @return a copy with it */
    public OptimizerConfig withSchedule(Schedule s) {
        return new OptimizerConfig(updater, learningRate, momentum, weightDecay, s, stepEpochs, stepGamma);
    }

    /** @param epochs epochs between decays @param gamma decay factor @return a copy with a step schedule */
    public OptimizerConfig withStep(int epochs, double gamma) {
        return new OptimizerConfig(updater, learningRate, momentum, weightDecay, Schedule.STEP, epochs, gamma);
    }

    /** @param rate initial learning rate @return a copy with it */
    public OptimizerConfig withLearningRate(double rate) {
        return new OptimizerConfig(updater, rate, momentum, weightDecay, schedule, stepEpochs, stepGamma);
    }

    /**
     * @param totalIterations iterations planned (used by {@link Schedule#POLY})
     * @return the DL4J updater
     */
    public IUpdater toUpdater(long totalIterations) {
        ISchedule lr = switch (schedule) {
            case CONSTANT -> null;
            case STEP -> new StepSchedule(ScheduleType.EPOCH, learningRate, stepGamma, stepEpochs);
            case POLY -> new PolySchedule(ScheduleType.ITERATION, learningRate, 1.0, (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalIterations)));
        };
        return switch (updater) {
            case ADAM -> lr == null ? new Adam(learningRate) : new Adam(lr);
            case SGD -> lr == null ? new Nesterovs(learningRate, momentum) : new Nesterovs(lr, momentum);
        };
    }

    /** @return a one-line description for provenance */
    public String describe() {
        return String.format(Locale.ROOT, "%s lr=%s%s wd=%s schedule=%s%s", updater.name().toLowerCase(Locale.ROOT), learningRate,
                updater == Updater.SGD ? " momentum=" + momentum : "", weightDecay, schedule.name().toLowerCase(Locale.ROOT),
                schedule == Schedule.STEP ? "(every " + stepEpochs + " epochs x" + stepGamma + ")" : "");
    }
}
