package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.training.FineTuning;
import io.edgekd.train.training.TrainingException;
import io.edgekd.train.training.TrainingLoop;
import io.edgekd.train.training.TrainingOptions;
import io.edgekd.train.training.TrainingResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a student from a teacher by knowledge distillation ({@link KnowledgeDistillationLoss}), optionally
 * starting from the teacher's stem (transfer learning, {@link Transfer}) and freezing it.
 *
 * <p>The teacher's logits for the (un-augmented) training set are computed once, before the first epoch, and
 * cached; each batch then carries {@code [one-hot | teacher logits]} as labels, so an epoch of distillation
 * costs about what an epoch of plain training does. With augmentation, {@link Builder#teacherLogitsOnAugmented}
 * makes the teacher see each augmented batch instead (a teacher forward pass per batch).
 *
 * <pre>{@code
 * TrainedModel teacher = TrainedModel.load(Path.of("teacher.zip"));
 * TrainingResult student = Distiller.builder()
 *         .teacher(teacher)
 *         .student(StudentNetwork.builder().build())
 *         .temperature(4).alpha(0.9)
 *         .transferStem(true)
 *         .options(TrainingOptions.builder().name("student-kd").epochs(10).batchSize(128).build())
 *         .build()
 *         .train(split.train(), split.validation());
 * }</pre>
 *
 * <p>The student takes the teacher's spec: its labels (the data must have the same classes in the same order)
 * and its normalisation (teacher and student must see the same numbers).
 *
 * <p>Thread safety: a distiller is immutable; {@link #train} runs on the calling thread.
 */
public final class Distiller {
    private final TrainedModel teacher;
    private final NetworkFamily student;
    private final TrainedModel initialStudent;
    private final double temperature;
    private final double alpha;
    private final boolean transferStem;
    private final int freezeLayers;
    private final boolean teacherLogitsOnAugmented;
    private final TrainingOptions options;

    private Distiller(Builder b) {
        this.teacher = b.teacher;
        this.student = b.student;
        this.initialStudent = b.initialStudent;
        this.temperature = b.temperature;
        this.alpha = b.alpha;
        this.transferStem = b.transferStem;
        this.freezeLayers = b.freezeLayers;
        this.teacherLogitsOnAugmented = b.teacherLogitsOnAugmented;
        this.options = b.options;
    }

    /** @return a builder: default student family, T = 4, α = 0.9, no transfer */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param train      training examples with the teacher's classes, in its order
     * @param validation validation examples, likewise
     * @return the distilled student
     * @throws TrainingException        on NaN loss or checkpoint trouble
     * @throws IllegalArgumentException when the data's channels, size or classes differ from the teacher's
     */
    public TrainingResult train(ImageDataset train, ImageDataset validation) throws TrainingException {
        TrainingBackend.init();
        ModelSpec teacherSpec = teacher.spec();
        Dl4jEvaluator.checkCompatible(teacherSpec, train, "training data for distillation from the teacher");
        Dl4jEvaluator.checkCompatible(teacherSpec, validation, "validation data for distillation from the teacher");
        TrainingLoop.checkWritable(options.checkpointDir());
        KnowledgeDistillationLoss loss = new KnowledgeDistillationLoss(alpha, temperature);
        MultiLayerNetwork net;
        ModelSpec spec;
        Map<String, String> state = null;
        List<String> transferred = List.of();
        if (options.resumeFrom() != null) {
            TrainedModel resumed = TrainingLoop.resume(options.resumeFrom());
            net = resumed.network();
            spec = resumed.spec();
            state = resumed.state();
            String t = spec.provenance().get("transfer.layers");
            transferred = t == null || t.isEmpty() ? List.of() : List.of(t.split(","));
        } else {
            spec = ModelSpec.builder().labels(teacherSpec.labels()).input(teacherSpec.channels(), teacherSpec.height(), teacherSpec.width())
                    .pixelOrder(teacherSpec.pixelOrder()).normalization(teacherSpec.normalization()).role(ModelRole.STUDENT).build();
            if (initialStudent != null) {
                Dl4jEvaluator.checkCompatible(initialStudent.spec(), train, "training data for the initial student");
                net = FineTuning.prepare(initialStudent.network(), options, 0, train.size());
                setLoss(net, loss);
            } else {
                net = Networks.build(student, new InputShape(train.channels(), train.height(), train.width()), train.numClasses(),
                        options.optimizer(), options.plannedIterations(train.size()), options.seed(), loss);
            }
            if (transferStem) {
                transferred = Transfer.copyStem(teacher.network(), net);
            }
            if (freezeLayers > 0) {
                net = FineTuning.prepare(net, options, freezeLayers, train.size());
            }
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("train.method", transferStem ? "distillation+transfer" : "distillation");
        provenance.put("network", initialStudent != null ? initialStudent.spec().provenance().getOrDefault("network", "?") : student.describe());
        provenance.put("optimizer", options.optimizer().describe());
        provenance.put("kd.temperature", Double.toString(temperature));
        provenance.put("kd.alpha", Double.toString(alpha));
        provenance.put("kd.teacher", teacherSpec.provenance().getOrDefault("network", "teacher"));
        provenance.put("kd.teacher.data.fingerprint", teacherSpec.provenance().getOrDefault("train.data.fingerprint", "?"));
        provenance.put("kd.teacher.accuracy", teacherSpec.provenance().getOrDefault("metrics.validation.accuracy", "?"));
        provenance.put("kd.teacher_logits", teacherLogitsOnAugmented ? "per augmented batch" : "cached once");
        if (freezeLayers > 0) {
            provenance.put("train.frozen_layers", Integer.toString(freezeLayers));
        }
        return TrainingLoop.run(new TrainingLoop.Settings(options, net, spec, train, validation,
                new TrainingLoop.Teacher(teacher, teacherLogitsOnAugmented), provenance, transferred, state, ModelRole.STUDENT));
    }

    private static void setLoss(MultiLayerNetwork net, KnowledgeDistillationLoss loss) {
        org.deeplearning4j.nn.conf.layers.Layer last = net.getLayer(net.getnLayers() - 1).conf().getLayer();
        if (last instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer out) {
            out.setLossFn(loss);
        } else {
            throw new IllegalArgumentException("initial student: expected an output layer, found " + last.getClass().getSimpleName());
        }
    }

    /** Builds a {@link Distiller}. Thread safety: not thread-safe. */
    public static final class Builder {
        private TrainedModel teacher;
        private NetworkFamily student = StudentNetwork.builder().build();
        private TrainedModel initialStudent;
        private double temperature = KnowledgeDistillationLoss.DEFAULT_TEMPERATURE;
        private double alpha = KnowledgeDistillationLoss.DEFAULT_ALPHA;
        private boolean transferStem;
        private int freezeLayers;
        private boolean teacherLogitsOnAugmented;
        private TrainingOptions options = TrainingOptions.builder().name("student-kd").build();

        private Builder() {
        }

        /** @param model the trained teacher @return this */
        public Builder teacher(TrainedModel model) {
            this.teacher = Objects.requireNonNull(model, "teacher");
            return this;
        }

        /** @param family the student's family @return this */
        public Builder student(NetworkFamily family) {
            this.student = Objects.requireNonNull(family, "student");
            return this;
        }

        /** @param model a previously trained student to continue from instead of a fresh one @return this */
        public Builder initialStudent(TrainedModel model) {
            this.initialStudent = model;
            return this;
        }

        /** @param t softening temperature (default 4) @return this */
        public Builder temperature(double t) {
            this.temperature = t;
            return this;
        }

        /** @param a weight of the soft term (default 0.9) @return this */
        public Builder alpha(double a) {
            this.alpha = a;
            return this;
        }

        /** @param transfer start the student's stem from the teacher's @return this */
        public Builder transferStem(boolean transfer) {
            this.transferStem = transfer;
            return this;
        }

        /** @param k freeze the student's first {@code k} layers (e.g. the transferred stem, 3) @return this */
        public Builder freezeLayers(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("freezeLayers: expected >= 0, found " + k);
            }
            this.freezeLayers = k;
            return this;
        }

        /** @param perBatch compute teacher logits on each augmented batch rather than caching them once @return this */
        public Builder teacherLogitsOnAugmented(boolean perBatch) {
            this.teacherLogitsOnAugmented = perBatch;
            return this;
        }

        /** @param o run options @return this */
        public Builder options(TrainingOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** @return the distiller @throws IllegalStateException without a teacher */
        public Distiller build() {
            if (teacher == null) {
                throw new IllegalStateException("teacher: expected a trained teacher model, found none (call teacher(...))");
            }
            new KnowledgeDistillationLoss(alpha, temperature); // validates alpha and T now rather than at train()
            return new Distiller(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Distiller[T=%s, alpha=%s, transferStem=%s, freeze=%d]", temperature, alpha, transferStem, freezeLayers);
    }
}
