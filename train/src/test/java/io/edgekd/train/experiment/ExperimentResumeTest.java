package io.edgekd.train.experiment;

import io.edgekd.core.dataset.Split;
import io.edgekd.train.Fixtures;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.TrainingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An experiment cut off in the middle of a run continues, when started again into the same folder, where it stopped:
 * finished runs are reused, the interrupted one resumes from its last checkpoint, and every number equals an
 * uninterrupted run's. The students are paired by seed.
 */
class ExperimentResumeTest {
    private static final EnumSet<ModelResult.Kind> ARMS = EnumSet.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD_TRANSFER);

    @TempDir
    Path dir;

    static Experiment.Settings settings(ProgressBar progress) {
        TrainingOptions teacher = Fixtures.options("teacher", 3).keepBest(true).validationEvery(5).progress(progress).build();
        TrainingOptions student = Fixtures.options("student", 2).keepBest(true).validationEvery(5).progress(progress).build();
        return new Experiment.Settings(Fixtures.tinyTeacher(), teacher, Fixtures.tinyStudent(), student, 4, 0.5, 0.98, 20, List.of(7L, 8L));
    }

    @Test
    void aRunCutOffMidwayResumesAndGivesTheUninterruptedNumbers() throws Exception {
        Split data = Fixtures.threeClasses();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Experiment.TaskResult whole = new Experiment(settings(ProgressBar.quiet()), dir.resolve("whole"), quiet)
                .run("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS);

        // A process that dies at the start of the last run's second epoch (its first epoch is checkpointed).
        Path cut = dir.resolve("cut");
        PrintStream dying = new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                seen.write(b);
                if (seen.toString(StandardCharsets.UTF_8).contains("student-kd-transfer-seed8 epoch 2/2")) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        }, true, StandardCharsets.UTF_8);
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> new Experiment(settings(ProgressBar.to(dying, false)), cut,
                quiet).run("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS));
        assertEquals("simulated crash", crash.getMessage());
        assertTrue(Files.isRegularFile(cut.resolve("runs/student-kd-transfer-seed7.zip")), "finished runs were kept");
        try (Stream<Path> s = Files.list(cut.resolve("runs"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("student-kd-transfer-seed8-") && Files.isDirectory(p)
                    && Files.isRegularFile(p.resolve("last.zip"))), "the interrupted run left its checkpoint");
        }

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Experiment.TaskResult resumed = new Experiment(settings(ProgressBar.quiet()), cut, new PrintStream(log, true, StandardCharsets.UTF_8))
                .run("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("4 finished runs reused") && text.contains("1 resumed from checkpoints"), text);
        for (ModelResult.Kind kind : EnumSet.of(ModelResult.Kind.TEACHER, ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD_TRANSFER)) {
            ModelResult a = whole.model(kind);
            ModelResult b = resumed.model(kind);
            assertEquals(a.seeds(), b.seeds());
            assertArrayEquals(a.accuracies(), b.accuracies(), 0, kind + ": resumed accuracies equal the uninterrupted run's");
            for (int s = 0; s < a.runs().size(); s++) {
                assertArrayEquals(a.runs().get(s).training().model().network().params().toFloatVector(),
                        b.runs().get(s).training().model().network().params().toFloatVector(), 1e-5f, kind + " seed " + a.seeds().get(s));
                assertEquals(a.runs().get(s).iterationsToTarget(), b.runs().get(s).iterationsToTarget());
            }
        }
        assertEquals(whole.kdGain().orElseThrow(), resumed.kdGain().orElseThrow());

        // A third start finds everything finished and trains nothing.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new Experiment(settings(ProgressBar.quiet()), cut, new PrintStream(again, true, StandardCharsets.UTF_8))
                .run("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS);
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("5 finished runs reused"), again.toString(StandardCharsets.UTF_8));
    }

    @Test
    void pairedSeedsGiveEveryArmTheSameStartAndTheGainIsTheirPairedDifference() throws Exception {
        Split data = Fixtures.threeClasses();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Experiment.Settings s = settings(ProgressBar.quiet());
        // alpha = 0 without transfer: the distilled arm must reproduce the alone arm seed by seed.
        Experiment.Settings zero = new Experiment.Settings(s.teacher(), s.teacherOptions(), s.student(), s.studentOptions(), 4, 0, 0.98, 20,
                List.of(7L, 8L));
        Experiment.TaskResult r = new Experiment(zero, dir.resolve("zero"), quiet).run("3 shapes", "", data.train(), data.validation(),
                data.validation(), EnumSet.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD));
        ModelResult alone = r.model(ModelResult.Kind.STUDENT);
        ModelResult kd = r.model(ModelResult.Kind.STUDENT_KD);
        assertEquals(List.of(7L, 8L), alone.seeds());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(alone.runs().get(i).training().model().network().params().toFloatVector(),
                    kd.runs().get(i).training().model().network().params().toFloatVector(), 0f, "seed " + alone.seeds().get(i));
        }
        assertTrue(alone.runs().get(0).training().model().network().params()
                .neq(alone.runs().get(1).training().model().network().params()).any(), "different seeds train different networks");
        var gain = r.kdGain().orElseThrow();
        assertEquals(0.0, gain.mean(), 0);
        assertEquals(2, gain.n());
    }
}
