package io.edgekd.train.experiment;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.network.NetworkCost;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.train.distill.Distiller;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.export.ExportException;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.Dl4jNetworks;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.UnsupportedLayerException;
import io.edgekd.train.report.Charts;
import io.edgekd.train.training.LearningCurve;
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingException;
import io.edgekd.train.training.TrainingOptions;
import io.edgekd.train.training.TrainingResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Runs one task of an experiment: the teacher, then the students asked for (alone, distilled, distilled with
 * transfer), each trained, evaluated on the test split, exported to ONNX, checked and timed in the edge runtime;
 * writes the models, their confusion matrices and the task's learning curves into the output folder.
 *
 * <p>Thread safety: not thread-safe; one task at a time.
 */
public final class Experiment {
    /**
     * How the models of a task are built and trained.
     *
     * @param teacher          teacher family
     * @param teacherOptions   teacher run options (name is replaced)
     * @param student          student family
     * @param studentOptions   student run options, the same for every student (name is replaced)
     * @param temperature      distillation temperature
     * @param alpha            distillation weight
     * @param targetFraction   the task's target validation accuracy is this fraction of the accuracy the student
     *                         reaches alone (iterations to reach it measure how fast each student learns)
     * @param dl4jTimingFrames single-image DL4J calls timed per model
     */
    public record Settings(NetworkFamily teacher, TrainingOptions teacherOptions, NetworkFamily student, TrainingOptions studentOptions,
                           double temperature, double alpha, double targetFraction, int dl4jTimingFrames) {
        /** Validates. */
        public Settings {
            Objects.requireNonNull(teacher, "teacher");
            Objects.requireNonNull(student, "student");
            if (!(targetFraction > 0 && targetFraction <= 1)) {
                throw new IllegalArgumentException("targetFraction: expected a value in (0, 1], found " + targetFraction);
            }
        }
    }

    /**
     * A task's outcome.
     *
     * @param name           task name, e.g. {@code 10-class}
     * @param prefix         the task's file-name prefix ("" for none)
     * @param classes        its classes
     * @param targetAccuracy the validation accuracy whose first crossing is reported
     * @param models         its models, teacher first
     * @param trainExamples  training examples
     * @param testExamples   test examples
     */
    public record TaskResult(String name, String prefix, List<String> classes, double targetAccuracy, List<ModelResult> models,
                             int trainExamples, int testExamples) {
        /** @return the file name of the task's learning-curve picture */
        public String learningCurvesFile() {
            return prefix.isEmpty() ? "learning-curves.png" : "learning-curves-" + prefix.substring(0, prefix.length() - 1) + ".png";
        }

        /**
         * @param kind a kind of model
         * @return the task's model of that kind, or null
         */
        public ModelResult model(ModelResult.Kind kind) {
            return models.stream().filter(m -> m.kind() == kind).findFirst().orElse(null);
        }
    }

    private final Settings settings;
    private final Path out;
    private final PrintStream log;

    /**
     * @param settings how to train
     * @param out      output folder (created if missing)
     * @param log      where progress lines go
     */
    public Experiment(Settings settings, Path out, PrintStream log) {
        this.settings = settings;
        this.out = out;
        this.log = log;
    }

    /**
     * @param name       task name
     * @param prefix     file-name prefix for this task's files ("" for none)
     * @param train      training examples
     * @param validation validation examples
     * @param test       test examples
     * @param kinds      which students to train besides the teacher
     * @return the task's models
     * @throws TrainingException         if training fails
     * @throws ExportException           if an export or its check fails
     * @throws EdgeModelException        if an exported model does not open in the edge runtime
     * @throws UnsupportedLayerException if a network cannot be described (never for the built-in families)
     * @throws IOException               if a file cannot be written
     */
    public TaskResult run(String name, String prefix, ImageDataset train, ImageDataset validation, ImageDataset test,
                          Set<ModelResult.Kind> kinds)
            throws TrainingException, ExportException, EdgeModelException, UnsupportedLayerException, IOException {
        Files.createDirectories(out);
        log.printf(Locale.ROOT, "== %s: %d classes %s; %d training, %d validation, %d test images%n", name, train.numClasses(),
                train.classes(), train.size(), validation.size(), test.size());
        List<TrainingResult> runs = new ArrayList<>();
        List<ModelResult.Kind> order = new ArrayList<>();

        TrainingResult teacher = SupervisedTrainer.builder().family(settings.teacher()).role(ModelRole.TEACHER)
                .options(settings.teacherOptions().toBuilder().name(prefix + "teacher").build()).build().train(train, validation);
        runs.add(teacher);
        order.add(ModelResult.Kind.TEACHER);
        for (ModelResult.Kind kind : List.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD, ModelResult.Kind.STUDENT_KD_TRANSFER)) {
            if (!kinds.contains(kind)) {
                continue;
            }
            TrainingOptions o = settings.studentOptions().toBuilder().name(prefix + kind.fileName()).build();
            TrainingResult r = kind == ModelResult.Kind.STUDENT
                    ? SupervisedTrainer.builder().family(settings.student()).role(ModelRole.STUDENT).options(o).build().train(train, validation)
                    : Distiller.builder().teacher(teacher.model()).student(settings.student()).temperature(settings.temperature())
                    .alpha(settings.alpha()).transferStem(kind == ModelResult.Kind.STUDENT_KD_TRANSFER).options(o).build()
                    .train(train, validation);
            runs.add(r);
            order.add(kind);
        }
        TrainingResult baseline = kinds.contains(ModelResult.Kind.STUDENT) ? runs.get(order.indexOf(ModelResult.Kind.STUDENT))
                : runs.get(runs.size() - 1);
        double target = settings.targetFraction() * baseline.validation().accuracy();

        List<ModelResult> models = new ArrayList<>();
        OnnxExporter exporter = new OnnxExporter(ExportOptions.defaults());
        for (int i = 0; i < runs.size(); i++) {
            ModelResult.Kind kind = order.get(i);
            TrainingResult r = runs.get(i);
            TrainedModel model = r.model();
            String file = prefix + kind.fileName();
            model.save(out.resolve(file + ".zip"), false);
            Path onnx = out.resolve(file + ".onnx");
            exporter.export(model, onnx);
            Evaluation eval = Dl4jEvaluator.evaluate(model, test, 256);
            float[][] probs = Dl4jEvaluator.probabilities(model.network(), test, model.spec().normalization(), 256);
            EdgeMeasurement edge = EdgeMeasurement.measure(onnx, model.network(), model.spec().normalization(), test, probs,
                    settings.dl4jTimingFrames());
            NetworkCost cost = Dl4jNetworks.cost(model.network(), new InputShape(test.channels(), test.height(), test.width()));
            Charts.confusionMatrix(name + ": " + kind.title() + " on the test split", eval.confusion(),
                    out.resolve("confusion-" + file + ".png"));
            AtomicFiles.writeString(out.resolve("curve-" + file + ".csv"), r.curve().toCsv());
            ModelResult mr = new ModelResult(prefix + kind.fileName(), kind, name, train.classes(), r, eval, cost, onnx, edge,
                    r.curve().iterationsToReach(target));
            models.add(mr);
            log.printf(Locale.ROOT, "   %-28s test accuracy %.4f, log loss %.4f, %.2f M MACs, edge %.4f ms/frame, DL4J %.3f ms/frame, agreement %.4f%n",
                    mr.name(), eval.accuracy(), eval.logLoss(), cost.totalMacs() / 1e6, edge.edgeMsPerFrame(), edge.dl4jMsPerFrame(),
                    edge.agreement());
        }
        List<LearningCurve> curves = new ArrayList<>();
        for (TrainingResult r : runs) {
            curves.add(r.curve());
        }
        TaskResult result = new TaskResult(name, prefix, train.classes(), target, models, train.size(), test.size());
        Charts.learningCurves(name, curves, out.resolve(result.learningCurvesFile()));
        return result;
    }
}
