package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.data.DatasetStatistics;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.loss.KnowledgeDistillationLoss;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.training.FineTuning;
import io.edgekd.train.training.ModelSpecs;
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
 * <p>The teacher is a DL4J model trained here ({@link Dl4jTeacher}) or any ONNX classifier ({@link OnnxTeacher}).
 * Each batch carries the teacher's outputs for the same examples ({@link SoftTargets}): cached once when the run does
 * not augment, computed on the very augmented views the student sees when it does.
 *
 * <p>With α = 0 the soft term is skipped and the run trains bit for bit the network
 * {@link io.edgekd.train.training.SupervisedTrainer} trains from the same seed, options and normalisation: the same
 * initial weights, the same batches in the same order, the same arithmetic. A comparison of the two differs only in
 * what the teacher adds.
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
    private final Teacher teacher;
    private final NetworkFamily student;
    private final TrainedModel initialStudent;
    private final double temperature;
    private final double alpha;
    private final boolean transferStem;
    private final int freezeLayers;
    private final SoftTargets.Views views;
    private final Normalization normalization;
    private final TrainingOptions options;

    private Distiller(Builder b) {
        this.teacher = b.teacher;
        this.student = b.student;
        this.initialStudent = b.initialStudent;
        this.temperature = b.temperature;
        this.alpha = b.alpha;
        this.transferStem = b.transferStem;
        this.freezeLayers = b.freezeLayers;
        this.views = b.views;
        this.normalization = b.normalization;
        this.options = b.options;
    }

    /** @return a builder: default student family, T and α at {@link KnowledgeDistillationLoss}'s defaults, no transfer */
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
        teacher.checkCompatible(train);
        teacher.checkCompatible(validation);
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
            String t = spec.provenance().get(Provenance.TRANSFER_LAYERS);
            transferred = t == null || t.isEmpty() ? List.of() : List.of(t.split(","));
        } else {
            spec = ModelSpecs.forData(train, studentNormalization(train), ModelRole.STUDENT);
            if (initialStudent != null) {
                Dl4jEvaluator.checkCompatible(initialStudent.spec(), train, "training data for the initial student");
                net = FineTuning.prepare(initialStudent.network(), options, 0, train.size());
                setLoss(net, loss);
            } else {
                net = Networks.build(student, new InputShape(train.channels(), train.height(), train.width()), train.numClasses(),
                        options.optimizer().toUpdater(options.plannedIterations(train.size())), options.optimizer().weightDecay(),
                        options.seed(), loss, options.dataFormat());
            }
            if (transferStem) {
                transferred = Transfer.copyStem(dl4jTeacher("transferStem").model().network(), net);
            }
            if (freezeLayers > 0) {
                net = FineTuning.prepare(net, options, freezeLayers, train.size());
            }
        }
        Dl4jEvaluator.checkCompatible(spec, train, "training data");
        Dl4jEvaluator.checkCompatible(spec, validation, "validation data");
        SoftTargets targets = new SoftTargets(teacher, train, options.augmentation(), options.seed(), views);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put(Provenance.TRAIN_METHOD, transferStem ? "distillation+transfer" : "distillation");
        provenance.put(Provenance.NETWORK, initialStudent != null ? Provenance.require(initialStudent.spec(), Provenance.NETWORK) : student.describe());
        provenance.put(Provenance.OPTIMIZER, options.optimizer().describe());
        provenance.put(Provenance.KD_TEMPERATURE, Double.toString(temperature));
        provenance.put(Provenance.KD_ALPHA, Double.toString(alpha));
        provenance.putAll(teacher.provenance());
        provenance.put(Provenance.KD_TEACHER_LOGITS, targets.describe());
        if (freezeLayers > 0) {
            provenance.put(Provenance.TRAIN_FROZEN_LAYERS, Integer.toString(freezeLayers));
        }
        return TrainingLoop.run(new TrainingLoop.Settings(options, net, spec, train, validation, targets, provenance, transferred, state,
                ModelRole.STUDENT));
    }

    /**
     * The student sees what the DL4J teacher saw (its normalisation, so a transferred stem gets the inputs it was
     * trained on), or, under an ONNX teacher with a contract of its own, the training data's statistics.
     */
    private Normalization studentNormalization(ImageDataset train) {
        if (normalization != null) {
            return normalization;
        }
        if (teacher instanceof Dl4jTeacher d && d.model().spec().channels() == train.channels()) {
            return d.model().spec().normalization();
        }
        return DatasetStatistics.normalization(train);
    }

    private Dl4jTeacher dl4jTeacher(String what) {
        if (teacher instanceof Dl4jTeacher d) {
            return d;
        }
        throw new IllegalArgumentException(what + ": expected a DL4J teacher (a model trained by edgekd-train) to copy weights from, found "
                + teacher + " (an ONNX teacher can teach, but its weights cannot be transferred)");
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
        private Teacher teacher;
        private NetworkFamily student = StudentNetwork.builder().build();
        private TrainedModel initialStudent;
        private double temperature = KnowledgeDistillationLoss.DEFAULT_TEMPERATURE;
        private double alpha = KnowledgeDistillationLoss.DEFAULT_ALPHA;
        private boolean transferStem;
        private int freezeLayers;
        private SoftTargets.Views views = SoftTargets.Views.AUTO;
        private Normalization normalization;
        private TrainingOptions options = TrainingOptions.builder().name("student-kd").build();

        private Builder() {
        }

        /** @param model the trained teacher @return this */
        public Builder teacher(TrainedModel model) {
            this.teacher = new Dl4jTeacher(Objects.requireNonNull(model, "teacher"));
            return this;
        }

        /** @param t a teacher, e.g. an {@link OnnxTeacher} (its owner closes it after training) @return this */
        public Builder teacher(Teacher t) {
            this.teacher = Objects.requireNonNull(t, "teacher");
            return this;
        }

        /**
         * @param n the student's input normalisation; default: the DL4J teacher's, or the data's statistics under an
         *          ONNX teacher
         * @return this
         */
        public Builder normalization(Normalization n) {
            this.normalization = n;
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

        /** @param v cached teacher outputs or per augmented view (default {@link SoftTargets.Views#AUTO}) @return this */
        public Builder views(SoftTargets.Views v) {
            this.views = Objects.requireNonNull(v, "views");
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
            if (transferStem && !(teacher instanceof Dl4jTeacher)) {
                throw new IllegalStateException("transferStem: expected a DL4J teacher to copy the stem from, found " + teacher);
            }
            return new Distiller(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Distiller[T=%s, alpha=%s, transferStem=%s, freeze=%d]", temperature, alpha, transferStem, freezeLayers);
    }
}
