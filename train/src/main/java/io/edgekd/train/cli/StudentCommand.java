package io.edgekd.train.cli;

import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.train.distill.Distiller;
import io.edgekd.train.distill.Dl4jTeacher;
import io.edgekd.train.distill.OnnxTeacher;
import io.edgekd.train.distill.SoftTargets;
import io.edgekd.train.distill.Teacher;
import io.edgekd.train.loss.KnowledgeDistillationLoss;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code edgekd-train student}: trains a student, from a teacher by distillation or alone, and saves it. */
@Command(name = "student", mixinStandardHelpOptions = true,
        description = "Train a student network: by knowledge distillation from --teacher (optionally starting from its stem), or alone.")
public final class StudentCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    TrainingFlags training;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to save the model (.zip)")
    Path out;

    @Option(names = "--teacher", paramLabel = "FILE",
            description = "a trained teacher: a model of edgekd-train (.zip) or any ONNX image classifier (.onnx); without it the student trains alone")
    Path teacher;

    @Option(names = "--teacher-spec", paramLabel = "FILE",
            description = "for an .onnx teacher without edgekd metadata: its contract as a .properties file of edgekd.* keys "
                    + "(labels, input size, channel order, normalisation; see the README)")
    Path teacherSpec;

    @Option(names = "--teacher-threads", description = "ONNX Runtime threads for an .onnx teacher (default: ${DEFAULT-VALUE})")
    int teacherThreads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--temperature", description = "distillation temperature T (default: ${DEFAULT-VALUE})")
    double temperature = KnowledgeDistillationLoss.DEFAULT_TEMPERATURE;

    @Option(names = "--alpha", description = "weight of the teacher's soft targets (default: ${DEFAULT-VALUE})")
    double alpha = KnowledgeDistillationLoss.DEFAULT_ALPHA;

    @Option(names = "--transfer", description = "start the student's stem from the teacher's weights")
    boolean transfer;

    @Option(names = "--freeze", defaultValue = "0", description = "freeze the first K layers (3 = the transferred stem)")
    int freeze;

    @Option(names = "--teacher-views", description = "AUTO (per augmented view when augmenting, else cached), CACHED or PER_VIEW "
            + "(default: ${DEFAULT-VALUE})")
    SoftTargets.Views teacherViews = SoftTargets.Views.AUTO;

    @Option(names = "--initial", paramLabel = "FILE", description = "continue from a previously trained student (.zip) instead of a fresh one")
    Path initial;

    @Option(names = "--stem", defaultValue = "32", description = "stem filters, as the teacher's (default: ${DEFAULT-VALUE})")
    int stem;

    @Option(names = "--width-multiplier", defaultValue = "1.0", description = "channel multiplier (default: ${DEFAULT-VALUE})")
    double widthMultiplier;

    @Option(names = "--stages", description = "stages, each halving the resolution; 0 chooses from the input size (28 px: 2, 96: 3, "
            + "160 and 224: 4) (default: ${DEFAULT-VALUE})")
    int stages = StudentNetwork.AUTO;

    @Option(names = "--stem-stride", description = "stride of the stem convolution; 0 chooses from the input size (2 from 64 px) "
            + "(default: ${DEFAULT-VALUE})")
    int stemStride = StudentNetwork.AUTO;

    @Option(names = "--blocks", defaultValue = "2", description = "depthwise-separable blocks per stage (default: ${DEFAULT-VALUE})")
    int blocks;

    @Option(names = "--report", paramLabel = "DIR", description = "write the learning curve (CSV, PNG) and confusion matrix (PNG) here")
    Path report;

    @Override
    public Integer call() throws Exception {
        Commands.checkOutput(out);
        StudentNetwork family = StudentNetwork.builder().stemFilters(stem).widthMultiplier(widthMultiplier).stages(stages).stemStride(stemStride)
                .blocksPerStage(blocks).build();
        DataOptions.Loaded d = data.load(training.quiet);
        TrainingResult r;
        String name;
        if (teacher != null) {
            new KnowledgeDistillationLoss(alpha, temperature);
            name = transfer ? "student-kd-transfer" : "student-kd";
            try (Teacher t = openTeacher(); TrainingFlags.Fitting f = training.fitting(name)) {
                r = Distiller.builder().teacher(t).student(family).temperature(temperature).alpha(alpha).transferStem(transfer)
                        .freezeLayers(freeze).views(teacherViews)
                        .initialStudent(initial == null ? null : TrainedModel.load(initial))
                        .options(training.toOptions(name, f.fitter())).build().train(d.train(), d.validation());
            }
        } else {
            if (teacherSpec != null) {
                throw new IllegalArgumentException("--teacher-spec: expected an .onnx --teacher to describe, found no --teacher");
            }
            if (transfer) {
                throw new IllegalArgumentException("--transfer: expected a --teacher to transfer from, found none");
            }
            name = "student";
            try (TrainingFlags.Fitting f = training.fitting(name)) {
                SupervisedTrainer.Builder b = SupervisedTrainer.builder().family(family).role(ModelRole.STUDENT).freezeLayers(freeze)
                        .options(training.toOptions(name, f.fitter()));
                if (initial != null) {
                    b.initial(TrainedModel.load(initial));
                }
                r = b.build().train(d.train(), d.validation());
            }
        }
        r.model().save(out, false);
        Commands.summarise(name, d, r, out, report);
        return 0;
    }

    private Teacher openTeacher() throws Exception {
        boolean onnx = teacher.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
        if (!onnx) {
            if (teacherSpec != null) {
                throw new IllegalArgumentException("--teacher-spec: expected an .onnx --teacher (a .zip carries its own spec), found " + teacher);
            }
            return new Dl4jTeacher(TrainedModel.load(teacher));
        }
        ModelSpec spec = teacherSpec == null ? null : Commands.readSpec(teacherSpec);
        return OnnxTeacher.open(teacher, spec, teacherThreads);
    }
}
