package io.edgekd.train.experiment;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.metrics.PairedDifference;
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
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingException;
import io.edgekd.train.training.TrainingOptions;
import io.edgekd.train.training.TrainingResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one task of an experiment: the teacher, then the students asked for (alone, distilled, distilled with
 * transfer), each student arm once per seed — paired: the same seed gives every arm the same initial weights and the
 * same data order, so the arms differ only in what the teacher adds. Each run is evaluated on the test split; the
 * first seed's model of each arm is exported to ONNX, checked and timed in the edge runtime; the models, confusion
 * matrices and the task's learning curves are written into the output folder.
 *
 * <p>Resumable: finished runs are kept under {@code runs/} with a fingerprint of everything that determined them, and
 * runs in progress write checkpoints there; running the same task into the same folder again reuses, resumes and
 * trains what is left (see {@link RunStore}).
 *
 * <p>Shareable: several processes (or threads, each with its own {@code Experiment}) may run the same task into the
 * same folder at once (tested on one machine; machines sharing a folder need a file system whose locks span them). Each run is trained by one of them only, the one
 * that claimed it; the others go on with the runs nobody holds, then take over the finished ones. Every process ends
 * with the whole task's results; its outputs are written by one process at a time.
 *
 * <p>Thread safety: not thread-safe; one task at a time per instance.
 */
public final class Experiment {
    /**
     * How the models of a task are built and trained.
     *
     * @param teacher          teacher family
     * @param teacherOptions   teacher run options (name is replaced)
     * @param student          student family
     * @param studentOptions   student run options, the same for every student (name and seed are replaced)
     * @param temperature      distillation temperature
     * @param alpha            distillation weight
     * @param targetFraction   the task's target validation accuracy is this fraction of the mean accuracy the student
     *                         reaches alone (iterations to reach it measure how fast each student learns)
     * @param dl4jTimingFrames single-image DL4J calls timed per model
     * @param seeds            the student seeds, the same list for every arm
     */
    public record Settings(NetworkFamily teacher, TrainingOptions teacherOptions, NetworkFamily student, TrainingOptions studentOptions,
                           double temperature, double alpha, double targetFraction, int dl4jTimingFrames, List<Long> seeds) {
        /** Validates. */
        public Settings {
            Objects.requireNonNull(teacher, "teacher");
            Objects.requireNonNull(student, "student");
            if (!(targetFraction > 0 && targetFraction <= 1)) {
                throw new IllegalArgumentException("targetFraction: expected a value in (0, 1], found " + targetFraction);
            }
            seeds = List.copyOf(seeds);
            if (seeds.isEmpty() || Set.copyOf(seeds).size() != seeds.size()) {
                throw new IllegalArgumentException("seeds: expected at least one seed, none repeated, found " + seeds);
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
     * @param targetOf       the arm whose mean validation accuracy it is a share of: the student alone, or the last
     *                       student arm where the task trains no student alone
     * @param models         the arms, teacher first
     * @param trainExamples  training examples
     * @param testExamples   test examples
     */
    public record TaskResult(String name, String prefix, List<String> classes, double targetAccuracy, ModelResult.Kind targetOf,
                             List<ModelResult> models,
                             int trainExamples, int testExamples) {
        /** @return the learning-curve picture's file name */
        public String learningCurvesFile() {
            return prefix.isEmpty() ? "learning-curves.png" : "learning-curves-" + prefix.substring(0, prefix.length() - 1) + ".png";
        }

        /** @param kind an arm @return its result, or null when the task did not train it */
        public ModelResult model(ModelResult.Kind kind) {
            return models.stream().filter(m -> m.kind() == kind).findFirst().orElse(null);
        }

        /**
         * @return the paired difference (distilled + transfer, or distilled) − alone in test accuracy over the seeds,
         *         if the task trained both
         */
        public Optional<PairedDifference> kdGain() {
            ModelResult alone = model(ModelResult.Kind.STUDENT);
            ModelResult kd = model(ModelResult.Kind.STUDENT_KD_TRANSFER);
            if (kd == null) {
                kd = model(ModelResult.Kind.STUDENT_KD);
            }
            if (alone == null || kd == null || !alone.seeds().equals(kd.seeds())) {
                return Optional.empty();
            }
            return Optional.of(PairedDifference.of(alone.accuracies(), kd.accuracies()));
        }
    }

    private final Settings settings;
    private final Path out;
    private final PrintStream log;
    private final Duration poll;
    private final Map<String, TrainingResult> finished = new HashMap<>();
    private final Set<String> announced = new HashSet<>();
    private final Map<String, List<String>> heldBefore = new HashMap<>();
    private RunStore store;
    private int reportedReused;
    private int reportedResumed;

    /**
     * @param settings how models are trained
     * @param out      output folder
     * @param log      where progress lines go
     */
    public Experiment(Settings settings, Path out, PrintStream log) {
        this(settings, out, log, DEFAULT_POLL);
    }

    /**
     * @param settings how models are trained
     * @param out      output folder
     * @param log      where progress lines go
     * @param poll     how often {@link #run} looks again at runs another process is training
     */
    public Experiment(Settings settings, Path out, PrintStream log, Duration poll) {
        this.settings = settings;
        this.out = out;
        this.log = log;
        if (poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException("poll: expected a positive interval, found " + poll);
        }
        this.poll = poll;
    }

    /** How often a waiting {@link #run} looks again at runs trained by another process. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(30);

    /**
     * Runs a task to its end. Runs that another process sharing the output folder is training are left to it and
     * taken over when it finishes them (or resumed here from their checkpoints when it dies): this call waits for
     * them, checking every poll interval.
     *
     * @param name       task name
     * @param prefix     file-name prefix ("" or e.g. {@code binary-tshirt-shirt-})
     * @param train      training split
     * @param validation validation split
     * @param test       test split
     * @param kinds      student arms to train (the teacher always is)
     * @return the task's results
     * @throws TrainingException          if training fails
     * @throws ExportException            if an export fails its check
     * @throws EdgeModelException         if the edge runtime cannot open an exported model
     * @throws UnsupportedLayerException  if a network cannot be costed
     * @throws IOException                if a file cannot be written
     * @throws InterruptedException       if interrupted while waiting for another process's run
     */
    public TaskResult run(String name, String prefix, ImageDataset train, ImageDataset validation, ImageDataset test,
                          Set<ModelResult.Kind> kinds)
            throws TrainingException, ExportException, EdgeModelException, UnsupportedLayerException, IOException, InterruptedException {
        boolean said = false;
        while (true) {
            TaskResult r = attempt(name, prefix, train, validation, test, kinds);
            if (r != null) {
                return r;
            }
            if (!said) {
                said = true;
                log.printf(Locale.ROOT, "   waiting for them (another process sharing %s; checking every %d s)%n", out.resolve(RunStore.FOLDER),
                        Math.max(1, poll.toSeconds()));
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /**
     * Runs what of a task this process can: trains every run no other process is training, and writes the task's
     * outputs when every run is finished.
     *
     * @param name       task name
     * @param prefix     file-name prefix
     * @param train      training split
     * @param validation validation split
     * @param test       test split
     * @param kinds      student arms to train (the teacher always is)
     * @return the task's results, or empty when runs remain that another process is training (when it is the
     *         teacher, no student of the task can start, and none was)
     * @throws TrainingException          if training fails
     * @throws ExportException            if an export fails its check
     * @throws EdgeModelException         if the edge runtime cannot open an exported model
     * @throws UnsupportedLayerException  if a network cannot be costed
     * @throws IOException                if a file cannot be written
     */
    public Optional<TaskResult> tryRun(String name, String prefix, ImageDataset train, ImageDataset validation, ImageDataset test,
                                       Set<ModelResult.Kind> kinds)
            throws TrainingException, ExportException, EdgeModelException, UnsupportedLayerException, IOException {
        return Optional.ofNullable(attempt(name, prefix, train, validation, test, kinds));
    }

    /** One pass over a task's runs: @return its result, or null while another process holds some of them */
    private TaskResult attempt(String name, String prefix, ImageDataset train, ImageDataset validation, ImageDataset test,
                            Set<ModelResult.Kind> kinds)
            throws TrainingException, ExportException, EdgeModelException, UnsupportedLayerException, IOException {
        Files.createDirectories(out);
        if (store == null) {
            store = new RunStore(out);
        }
        if (announced.add(prefix)) {
            log.printf(Locale.ROOT, "== %s: %d classes %s; %d training, %d validation, %d test images; student seeds %s%n", name,
                    train.numClasses(), train.classes(), train.size(), validation.size(), test.size(), settings.seeds());
        }

        TrainingOptions to = settings.teacherOptions().toBuilder().name(prefix + "teacher").build();
        String teacherPrint = RunStore.fingerprint("teacher", settings.teacher().describe(), RunStore.describe(to), train.fingerprint(),
                validation.fingerprint());
        Optional<TrainingResult> maybeTeacher = trainOrReuse(store, prefix + "teacher", teacherPrint, validation, o -> SupervisedTrainer.builder()
                .family(settings.teacher()).role(ModelRole.TEACHER).options(o).build().train(train, validation), to);
        if (maybeTeacher.isEmpty()) {
            if (!List.of(prefix + "teacher").equals(heldBefore.put(prefix, List.of(prefix + "teacher")))) {
                log.printf(Locale.ROOT, "   %steacher is being trained by another process; this task's students wait for it%n", prefix);
            }
            return null;
        }
        TrainingResult teacher = maybeTeacher.get();

        List<String> held = new ArrayList<>();
        List<ModelResult.Kind> order = new ArrayList<>(List.of(ModelResult.Kind.TEACHER));
        List<List<TrainingResult>> runs = new ArrayList<>();
        runs.add(List.of(teacher));
        for (ModelResult.Kind kind : List.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD, ModelResult.Kind.STUDENT_KD_TRANSFER)) {
            if (!kinds.contains(kind)) {
                continue;
            }
            List<TrainingResult> arm = new ArrayList<>();
            for (long seed : settings.seeds()) {
                String run = prefix + kind.fileName() + "-seed" + seed;
                TrainingOptions o = settings.studentOptions().toBuilder().name(run).seed(seed).build();
                String print = RunStore.fingerprint(kind, settings.student().describe(), RunStore.describe(o), train.fingerprint(),
                        validation.fingerprint(), kind == ModelResult.Kind.STUDENT ? "" : settings.temperature() + "/" + settings.alpha(),
                        teacherPrint);
                Optional<TrainingResult> r = trainOrReuse(store, run, print, validation, opts -> kind == ModelResult.Kind.STUDENT
                        // The teacher's normalisation for the student alone too: the arms differ only in the teacher.
                        ? SupervisedTrainer.builder().family(settings.student()).role(ModelRole.STUDENT)
                                .normalization(teacher.model().spec().normalization()).options(opts).build().train(train, validation)
                        : Distiller.builder().teacher(teacher.model()).student(settings.student()).temperature(settings.temperature())
                                .alpha(settings.alpha()).transferStem(kind == ModelResult.Kind.STUDENT_KD_TRANSFER).options(opts).build()
                                .train(train, validation), o);
                if (r.isPresent()) {
                    arm.add(r.get());
                } else {
                    held.add(run);
                }
            }
            runs.add(arm);
            order.add(kind);
        }
        if (store.reused() + store.resumed() > 0 && (store.reused() != reportedReused || store.resumed() != reportedResumed)) {
            reportedReused = store.reused();
            reportedResumed = store.resumed();
            log.printf(Locale.ROOT, "   (%d finished runs reused from %s, %d resumed from checkpoints)%n", store.reused(),
                    out.resolve(RunStore.FOLDER), store.resumed());
        }
        if (!held.isEmpty()) {
            if (!held.equals(heldBefore.put(prefix, List.copyOf(held)))) {
                log.printf(Locale.ROOT, "   %d runs of this task are being trained by another process: %s%n", held.size(), String.join(", ", held));
            }
            return null;
        }
        RunStore.Claim writing = store.outputs(prefix);
        try {
            return outputs(name, prefix, train, test, to, order, runs);
        } finally {
            writing.close();
        }
    }

    private TaskResult outputs(String name, String prefix, ImageDataset train, ImageDataset test, TrainingOptions to,
                               List<ModelResult.Kind> order, List<List<TrainingResult>> runs)
            throws ExportException, EdgeModelException, UnsupportedLayerException, IOException {
        ModelResult.Kind targetOf = order.contains(ModelResult.Kind.STUDENT) ? ModelResult.Kind.STUDENT : order.get(order.size() - 1);
        List<TrainingResult> baseline = runs.get(order.indexOf(targetOf));
        double target = settings.targetFraction() * ModelResult.mean(baseline.stream().mapToDouble(r -> r.validation().accuracy()).toArray());

        List<ModelResult> models = new ArrayList<>();
        List<Charts.CurveGroup> curves = new ArrayList<>();
        OnnxExporter exporter = new OnnxExporter(ExportOptions.defaults());
        for (int i = 0; i < runs.size(); i++) {
            ModelResult.Kind kind = order.get(i);
            List<TrainingResult> arm = runs.get(i);
            List<ModelResult.SeedRun> seedRuns = new ArrayList<>();
            for (int s = 0; s < arm.size(); s++) {
                TrainingResult r = arm.get(s);
                long seed = kind == ModelResult.Kind.TEACHER ? to.seed() : settings.seeds().get(s);
                seedRuns.add(new ModelResult.SeedRun(seed, r, Dl4jEvaluator.evaluate(r.model(), test, 256), r.curve().iterationsToReach(target)));
            }
            TrainedModel model = arm.get(0).model();
            String file = prefix + kind.fileName();
            model.save(out.resolve(file + ".zip"), false);
            Path onnx = out.resolve(file + ".onnx");
            exporter.export(model, onnx);
            float[][] probs = Dl4jEvaluator.probabilities(model.network(), test, model.spec().normalization(), 256);
            EdgeMeasurement edge = EdgeMeasurement.measure(onnx, model.network(), model.spec().normalization(), test, probs,
                    settings.dl4jTimingFrames());
            NetworkCost cost = Dl4jNetworks.cost(model.network(), new InputShape(test.channels(), test.height(), test.width()));
            Evaluation eval = seedRuns.get(0).test();
            Charts.confusionMatrix(name + ": " + kind.title() + " on the test split" + (arm.size() > 1 ? " (seed " + seedRuns.get(0).seed() + ")" : ""),
                    eval.confusion(), out.resolve("confusion-" + file + ".png"));
            AtomicFiles.writeString(out.resolve("curve-" + file + ".csv"), arm.get(0).curve().toCsv());
            ModelResult mr = new ModelResult(file, kind, name, train.classes(), seedRuns, cost, onnx, edge);
            models.add(mr);
            curves.add(new Charts.CurveGroup(kind.title(), arm.stream().map(TrainingResult::curve).toList()));
            log.printf(Locale.ROOT, "   %-28s test accuracy %.4f%s, log loss %.4f, %.2f M MACs, edge %.4f ms/frame (rough), agreement %.4f%n",
                    mr.name(), mr.accuracy(), arm.size() > 1 ? String.format(Locale.ROOT, " ± %.4f over %d seeds", mr.accuracySd(), arm.size()) : "",
                    mr.logLoss(), cost.totalMacs() / 1e6, edge.edgeMsPerFrame(), edge.agreement());
        }
        TaskResult result = new TaskResult(name, prefix, train.classes(), target, targetOf, models, train.size(), test.size());
        Charts.learningCurveGroups(name, curves, out.resolve(result.learningCurvesFile()));
        return result;
    }

    /** One training run, as the experiment starts it. */
    @FunctionalInterface
    private interface Training {
        TrainingResult train(TrainingOptions options) throws TrainingException;
    }

    /** @return the run's result, or empty when another process holds its claim (and is training it) */
    private Optional<TrainingResult> trainOrReuse(RunStore store, String run, String fingerprint, ImageDataset validation, Training training,
                                                  TrainingOptions options) throws TrainingException, IOException {
        TrainingResult known = finished.get(fingerprint); // a run this instance trained or loaded on an earlier pass
        if (known != null) {
            return Optional.of(known);
        }
        Optional<TrainingResult> r = trainOrLoad(store, run, fingerprint, validation, training, options);
        r.ifPresent(t -> finished.put(fingerprint, t));
        return r;
    }

    private Optional<TrainingResult> trainOrLoad(RunStore store, String run, String fingerprint, ImageDataset validation, Training training,
                                                 TrainingOptions options) throws TrainingException, IOException {
        Optional<TrainingResult> done = store.finished(run, fingerprint, validation);
        if (done.isPresent()) {
            log.printf(Locale.ROOT, "   %s: finished earlier, reused%n", run);
            return done;
        }
        Optional<RunStore.Claim> claim = store.claim(run, fingerprint);
        if (claim.isEmpty()) {
            return Optional.empty();
        }
        try {
            done = store.finished(run, fingerprint, validation); // another process may have finished it since the first look
            if (done.isPresent()) {
                log.printf(Locale.ROOT, "   %s: finished by another process, reused%n", run);
                store.dropCheckpoints(run, fingerprint); // left behind if that process died between saving and cleaning up
                return done;
            }
            log.printf(Locale.ROOT, "   %s: training%n", run);
            TrainingResult r = training.train(store.checkpointed(run, fingerprint, options));
            store.save(run, fingerprint, r);
            return Optional.of(r);
        } finally {
            claim.get().close();
        }
    }
}
