package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.data.DatasetStatistics;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a network from labels alone: the teacher, or a student trained without a teacher (the baseline a
 * distilled student is compared with), or fine-tuning of a previously trained model with its first layers frozen.
 *
 * <pre>{@code
 * TrainingResult teacher = SupervisedTrainer.builder()
 *         .family(TeacherNetwork.builder().build())
 *         .role(ModelRole.TEACHER)
 *         .options(TrainingOptions.builder().name("teacher").epochs(12).batchSize(64)
 *                 .optimizer(OptimizerConfig.adam(1e-3).withSchedule(OptimizerConfig.Schedule.POLY).withWeightDecay(5e-5))
 *                 .augmentation(new Augmentation(true, 2)).checkpointDir(Path.of("runs/teacher")).patience(3).build())
 *         .build()
 *         .train(split.train(), split.validation());
 * teacher.model().save(Path.of("teacher.zip"), false);
 * }</pre>
 *
 * <p>Thread safety: a trainer is immutable; {@link #train} runs on the calling thread and uses ND4J's threads.
 */
public final class SupervisedTrainer {
    private final NetworkFamily family;
    private final TrainedModel initial;
    private final int freezeLayers;
    private final ModelRole role;
    private final Normalization normalization;
    private final TrainingOptions options;

    private SupervisedTrainer(Builder b) {
        this.family = b.family;
        this.initial = b.initial;
        this.freezeLayers = b.freezeLayers;
        this.role = b.role;
        this.normalization = b.normalization;
        this.options = b.options;
    }

    /** @return a builder: teacher family, role TEACHER, default options */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param train      training examples
     * @param validation validation examples, same classes in the same order
     * @return the trained model, its learning curve and costs
     * @throws TrainingException      on NaN loss, an unwritable checkpoint folder or an unreadable checkpoint
     * @throws IllegalArgumentException when the data disagree with each other or with the model being fine-tuned
     */
    public TrainingResult train(ImageDataset train, ImageDataset validation) throws TrainingException {
        TrainingBackend.init();
        TrainingLoop.checkWritable(options.checkpointDir());
        MultiLayerNetwork net;
        ModelSpec spec;
        Map<String, String> state = null;
        if (options.resumeFrom() != null) {
            TrainedModel resumed = TrainingLoop.resume(options.resumeFrom());
            net = resumed.network();
            spec = resumed.spec();
            state = resumed.state();
        } else if (initial != null) {
            spec = initial.spec().toBuilder().role(role).build();
            Dl4jEvaluator.checkCompatible(spec, train, "training data");
            net = FineTuning.prepare(initial.network(), options, freezeLayers, train.size());
        } else {
            Normalization norm = normalization != null ? normalization : DatasetStatistics.normalization(train);
            spec = ModelSpecs.forData(train, norm, role);
            net = Networks.build(family, new InputShape(train.channels(), train.height(), train.width()), train.numClasses(),
                    options.optimizer().toUpdater(options.plannedIterations(train.size())), options.optimizer().weightDecay(), options.seed(),
                    new SoftmaxCrossEntropyLoss(), options.dataFormat());
        }
        Dl4jEvaluator.checkCompatible(spec, train, "training data");
        Dl4jEvaluator.checkCompatible(spec, validation, "validation data");
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put(Provenance.TRAIN_METHOD, initial != null ? "fine-tune" : "supervised");
        provenance.put(Provenance.NETWORK, initial != null ? Provenance.require(initial.spec(), Provenance.NETWORK) : family.describe());
        provenance.put(Provenance.OPTIMIZER, options.optimizer().describe());
        if (freezeLayers > 0) {
            provenance.put(Provenance.TRAIN_FROZEN_LAYERS, Integer.toString(freezeLayers));
        }
        return TrainingLoop.run(new TrainingLoop.Settings(options, net, spec, train, validation, null, provenance, List.of(), state, role));
    }

    /** Builds a {@link SupervisedTrainer}. Thread safety: not thread-safe. */
    public static final class Builder {
        private NetworkFamily family = TeacherNetwork.builder().build();
        private TrainedModel initial;
        private int freezeLayers;
        private ModelRole role = ModelRole.TEACHER;
        private Normalization normalization;
        private TrainingOptions options = TrainingOptions.builder().build();

        private Builder() {
        }

        /** @param f the network family to train from scratch @return this */
        public Builder family(NetworkFamily f) {
            this.family = Objects.requireNonNull(f, "family");
            return this;
        }

        /** @param model a trained model to fine-tune instead of starting from scratch @return this */
        public Builder initial(TrainedModel model) {
            this.initial = model;
            return this;
        }

        /** @param k freeze the first {@code k} layers while fine-tuning @return this */
        public Builder freezeLayers(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("freezeLayers: expected >= 0, found " + k);
            }
            this.freezeLayers = k;
            return this;
        }

        /** @param r the trained model's role @return this */
        public Builder role(ModelRole r) {
            this.role = Objects.requireNonNull(r, "role");
            return this;
        }

        /** @param n normalisation to use instead of the training data's own statistics @return this */
        public Builder normalization(Normalization n) {
            this.normalization = n;
            return this;
        }

        /** @param o run options @return this */
        public Builder options(TrainingOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** @return the trainer */
        public SupervisedTrainer build() {
            return new SupervisedTrainer(this);
        }
    }
}
