package io.edgekd.train.cli;

import io.edgekd.train.data.Augmentation;
import io.edgekd.train.loss.KnowledgeDistillationLoss;
import java.util.List;
import java.util.stream.LongStream;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.train.experiment.Experiment;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.OptimizerConfig;
import io.edgekd.train.training.TrainingOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The settings the quickstart and the reproduction share, and their output folder checks. */
final class ExperimentCommands {
    /**
     * The distillation recipe the experiments use, chosen on validation data (docs/results/recipe-study): T = 4,
     * α = 0.7, no augmentation.
     *
     * @param temperature  T
     * @param alpha        α
     * @param augmentation the students' augmentation (the teacher sees the same views: consistent teaching)
     */
    record Recipe(double temperature, double alpha, Augmentation augmentation) {
        static final Recipe DEFAULT = new Recipe(KnowledgeDistillationLoss.DEFAULT_TEMPERATURE, KnowledgeDistillationLoss.DEFAULT_ALPHA,
                Augmentation.NONE);
    }

    private ExperimentCommands() {
    }

    /**
     * @param trainExamples training images of a task
     * @param teacherEpochs teacher epochs
     * @param studentEpochs student epochs
     * @param teacherWidth  teacher channel multiplier
     * @param batch         minibatch size
     * @param seed          seed
     * @param quiet         no progress bars
     * @param curvePoints   validation points per student epoch
     * @param dl4jFrames    single-image DL4J calls to time
     * @param preciseBn     images for re-estimating batch-norm statistics at each validation point
     * @param recipe        the students' distillation recipe
     * @param seeds         student seeds per arm
     * @param teacherAugmentation the teacher's augmentation
     * @return the experiment settings
     */
    static Experiment.Settings settings(int trainExamples, int teacherEpochs, int studentEpochs, double teacherWidth, int batch, long seed,
                                        boolean quiet, int curvePoints, int dl4jFrames, int preciseBn, Recipe recipe, int seeds,
                                        Augmentation teacherAugmentation) {
        ProgressBar progress = quiet ? ProgressBar.quiet() : ProgressBar.console();
        int batchesPerEpoch = (trainExamples + batch - 1) / batch;
        TrainingOptions teacher = TrainingOptions.builder().epochs(teacherEpochs).batchSize(batch).seed(seed)
                .optimizer(OptimizerConfig.adam(1e-3).withSchedule(OptimizerConfig.Schedule.POLY)).keepBest(true)
                .preciseBatchNorm(preciseBn).validationEvery(Math.max(1, batchesPerEpoch / curvePoints)).progress(progress)
                .augmentation(teacherAugmentation).build();
        TrainingOptions student = TrainingOptions.builder().epochs(studentEpochs).batchSize(batch).seed(seed)
                .optimizer(OptimizerConfig.adam(2e-3).withSchedule(OptimizerConfig.Schedule.POLY)).keepBest(true)
                .preciseBatchNorm(preciseBn).validationEvery(Math.max(1, batchesPerEpoch / curvePoints)).progress(progress).build();
        return new Experiment.Settings(TeacherNetwork.builder().width(teacherWidth).dropout(0).build(), teacher, StudentNetwork.builder().build(),
                student.toBuilder().augmentation(recipe.augmentation()).build(), recipe.temperature(), recipe.alpha(), 0.98, dl4jFrames,
                seeds(seed, seeds));
    }

    /** @return {@code n} seeds starting at {@code first} */
    static List<Long> seeds(long first, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--seeds: expected at least 1, found " + n);
        }
        return LongStream.range(first, first + n).boxed().toList();
    }

    /** Checks that {@code out} is a folder that can be written, or can be created. */
    static void prepareOutput(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IOException("--out " + out + ": expected a folder, found a file");
        }
        Files.createDirectories(out);
        if (!Files.isWritable(out)) {
            throw new IOException("--out " + out + ": expected a writable folder, found a read-only one");
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                System.err.println("note: " + out + " is not empty; files of the same names are replaced");
            }
        }
    }

    /** A class-balanced cut of {@code data}, or all of it when {@code perClass} is 0. */
    static ImageDataset limit(ImageDataset data, int perClass, long seed) {
        return perClass > 0 ? data.balanced(perClass, seed) : data;
    }
}
