package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.train.Fixtures;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.distill.Distiller;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.ModelFileException;
import io.edgekd.train.model.TrainedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {
    /** A distilled student may trail the student trained alone by at most this much validation accuracy. */
    static final double KD_TOLERANCE = 0.03;

    static Split data;
    static TrainingResult teacher;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainTeacher() throws Exception {
        TrainingBackend.init();
        data = Fixtures.threeClasses();
        teacher = SupervisedTrainer.builder().family(Fixtures.tinyTeacher()).role(ModelRole.TEACHER)
                .options(Fixtures.options("teacher", 10).build()).build().train(data.train(), data.validation());
    }

    @Test
    void tinyTeacherLearnsTheSyntheticTask() {
        assertTrue(teacher.validation().accuracy() >= 0.90, "teacher validation accuracy " + teacher.validation().accuracy());
        assertEquals(10, teacher.epochs());
        assertEquals(10 * 15, teacher.iterations());
        assertEquals(10, teacher.curve().points().size());
        assertEquals(ModelRole.TEACHER, teacher.model().spec().role());
        assertEquals(data.train().fingerprint(), teacher.model().spec().provenance().get("train.data.fingerprint"));
        assertEquals("7", teacher.model().spec().provenance().get("seed"));
        assertTrue(teacher.imagesPerSecond() > 0);
    }

    @Test
    void studentAloneAndDistilledStudentLearnIt() throws Exception {
        TrainingResult alone = SupervisedTrainer.builder().family(Fixtures.tinyStudent()).role(ModelRole.STUDENT)
                .options(Fixtures.options("student", 16).build()).build().train(data.train(), data.validation());
        TrainingResult kd = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent())
                .options(Fixtures.options("student-kd", 16).build()).build().train(data.train(), data.validation());
        assertTrue(alone.validation().accuracy() >= 0.90, "student validation accuracy " + alone.validation().accuracy());
        assertTrue(kd.validation().accuracy() >= alone.validation().accuracy() - KD_TOLERANCE,
                "distilled " + kd.validation().accuracy() + " vs alone " + alone.validation().accuracy() + " (teacher "
                        + teacher.validation().accuracy() + ")");
        assertEquals(alone.iterations(), kd.iterations());
        assertEquals("distillation", kd.model().spec().provenance().get("train.method"));
        assertEquals(teacher.model().spec().normalization(), kd.model().spec().normalization());
        assertTrue(kd.teacherSeconds() > 0);
    }

    @Test
    void transferCopiesTheStemAndFreezingKeepsIt() throws Exception {
        TrainingResult kd = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent()).transferStem(true).freezeLayers(3)
                .options(Fixtures.options("kd-transfer", 2).build()).build().train(data.train(), data.validation());
        assertEquals(List.of("stem_conv", "stem_bn"), kd.transferredLayers());
        INDArray teacherStem = teacher.model().network().getLayer(0).getParam("W");
        INDArray studentStem = kd.model().network().getLayer(0).getParam("W");
        assertEquals(teacherStem, studentStem, "a frozen transferred stem keeps the teacher's weights");
        assertEquals("distillation+transfer", kd.model().spec().provenance().get("train.method"));
    }

    @Test
    void sameSeedGivesTheSameModel() throws Exception {
        TrainingResult a = SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(Fixtures.options("a", 2).build()).build()
                .train(data.train(), data.validation());
        TrainingResult b = SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(Fixtures.options("b", 2).build()).build()
                .train(data.train(), data.validation());
        assertArrayEquals(a.model().network().params().toFloatVector(), b.model().network().params().toFloatVector(), 0f);
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs() throws Exception {
        Path file = dir.resolve("teacher.zip");
        teacher.model().save(file, false);
        TrainedModel back = TrainedModel.load(file);
        assertEquals(teacher.model().spec(), back.spec());
        float[][] before = Dl4jEvaluator.outputs(teacher.model().network(), data.validation(), teacher.model().spec().normalization(), 50);
        float[][] after = Dl4jEvaluator.outputs(back.network(), data.validation(), back.spec().normalization(), 50);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], after[i], 0f);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left");
        }
    }

    @Test
    void resumeContinuesWhereTheCheckpointLeftOff() throws Exception {
        Path ckpt = dir.resolve("run");
        TrainingOptions.Builder o = Fixtures.options("student", 4).checkpointDir(ckpt);
        TrainingResult uninterrupted = SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(o.build()).build()
                .train(data.train(), data.validation());

        Path ckpt2 = dir.resolve("run2");
        SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(o.epochs(2).checkpointDir(ckpt2).build()).build()
                .train(data.train(), data.validation());
        assertTrue(Files.isRegularFile(ckpt2.resolve(TrainingLoop.LAST_CHECKPOINT)));
        assertEquals("2", TrainedModel.load(ckpt2.resolve(TrainingLoop.LAST_CHECKPOINT)).state().get("epoch"));
        TrainingResult resumed = SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(o.epochs(4).resumeFrom(ckpt2.resolve(TrainingLoop.LAST_CHECKPOINT)).build()).build()
                .train(data.train(), data.validation());
        assertEquals(4, resumed.epochs());
        assertEquals(uninterrupted.iterations(), resumed.iterations());
        assertEquals(4, resumed.curve().points().size());
        float[] u = uninterrupted.model().network().params().toFloatVector();
        float[] r = resumed.model().network().params().toFloatVector();
        assertArrayEquals(u, r, 1e-5f, "a resumed run equals an uninterrupted one");
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() throws Exception {
        // A learning rate this high overfits and oscillates quickly; patience 1 must stop and return the best epoch.
        TrainingResult r = SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(Fixtures.options("es", 12).patience(1).optimizer(OptimizerConfig.adam(0.05)).checkpointDir(dir.resolve("es")).build())
                .build().train(data.train(), data.validation());
        double best = r.curve().points().stream().mapToDouble(CurvePoint::validationLogLoss).min().orElseThrow();
        assertEquals(best, r.validation().logLoss(), 1e-4);
        assertTrue(r.bestEpoch() <= r.epochs());
        if (r.epochs() < 12) {
            assertTrue(r.stoppedEarly());
        }
        assertTrue(Files.isRegularFile(dir.resolve("es").resolve(TrainingLoop.BEST_CHECKPOINT)));
    }

    @Test
    void nanLossStopsWithAClearMessageAndKeepsTheCheckpoint() throws Exception {
        Path ckpt = dir.resolve("nan");
        TrainingException e = assertThrows(TrainingException.class, () -> SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(Fixtures.options("nan", 3).optimizer(OptimizerConfig.sgd(1e38, 0.9)).checkpointDir(ckpt).build())
                .build().train(data.train(), data.validation()));
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("infinite"), e.getMessage());
        assertTrue(e.getMessage().contains("iteration"), e.getMessage());
        if (Files.exists(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT))) {
            assertTrue(e.getMessage().contains(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT).toString()), e.getMessage());
            TrainedModel.load(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT));
        } else {
            assertTrue(e.getMessage().contains("No checkpoint was written yet"), e.getMessage());
        }
    }

    @Test
    void badInputIsRefusedBeforeTraining() throws Exception {
        ImageDataset colour = SyntheticImages.builder().classes(3).size(16, 16).channels(3).perClass(10).seed(1).build();
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class, () -> Distiller.builder().teacher(teacher.model())
                .options(Fixtures.options("x", 1).build()).build().train(colour, colour));
        assertTrue(channels.getMessage().contains("expected 1 channel(s)") && channels.getMessage().contains("found 3"), channels.getMessage());

        ImageDataset four = SyntheticImages.builder().classes(4).size(16, 16).channels(1).perClass(10).seed(1).build();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Distiller.builder().teacher(teacher.model())
                .options(Fixtures.options("x", 1).build()).build().train(four, four));
        assertTrue(unknown.getMessage().contains("'light-ring'") && unknown.getMessage().contains("not one the model knows"), unknown.getMessage());

        ImageDataset reordered = data.validation().selectClasses(List.of("light-square", "light-disc", "light-triangle"));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> Distiller.builder().teacher(teacher.model())
                .options(Fixtures.options("x", 1).build()).build().train(reordered, reordered));
        assertTrue(order.getMessage().contains("in its order"), order.getMessage());

        IllegalArgumentException fineTune = assertThrows(IllegalArgumentException.class, () -> SupervisedTrainer.builder()
                .initial(teacher.model()).options(Fixtures.options("x", 1).build()).build().train(four, four));
        assertTrue(fineTune.getMessage().contains("not one the model knows"), fineTune.getMessage());

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        TrainingException unwritable = assertThrows(TrainingException.class, () -> SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(Fixtures.options("x", 1).checkpointDir(file.resolve("sub")).build()).build().train(data.train(), data.validation()));
        assertTrue(unwritable.getMessage().contains("expected a writable folder"), unwritable.getMessage());

        IOException saveInMissingDir = assertThrows(IOException.class, () -> teacher.model().save(dir.resolve("missing/x.zip"), false));
        assertTrue(saveInMissingDir.getMessage().contains("expected an existing folder"), saveInMissingDir.getMessage());

        assertThrows(IllegalStateException.class, () -> Distiller.builder().build());
    }

    @Test
    void fineTuningFromAPreviousModelFreezesLayers() throws Exception {
        TrainingResult ft = SupervisedTrainer.builder().initial(teacher.model()).freezeLayers(3).role(ModelRole.TEACHER)
                .options(Fixtures.options("ft", 1).optimizer(OptimizerConfig.adam(1e-3)).build()).build().train(data.train(), data.validation());
        assertEquals(teacher.model().network().getLayer(0).getParam("W"), ft.model().network().getLayer(0).getParam("W"));
        assertFalse(teacher.model().network().getLayer(3).getParam("W").equals(ft.model().network().getLayer(3).getParam("W")));
        assertEquals("fine-tune", ft.model().spec().provenance().get("train.method"));
    }

    @Test
    void aModelWhoseLossClassMovedFailsToLoadSayingSo() throws Exception {
        Path file = dir.resolve("m.zip");
        teacher.model().save(file, false);
        Path moved = dir.resolve("moved.zip");
        try (ZipFile in = new ZipFile(file.toFile()); OutputStream raw = Files.newOutputStream(moved); ZipOutputStream out = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    byte[] b = is.readAllBytes();
                    if (e.getName().equals("configuration.json")) {
                        b = new String(b, StandardCharsets.UTF_8).replace("io.edgekd.train.distill.SoftmaxCrossEntropyLoss",
                                "io.edgekd.train.oldplace.SoftmaxCrossEntropyLoss").getBytes(StandardCharsets.UTF_8);
                    }
                    out.write(b);
                }
                out.closeEntry();
            }
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> TrainedModel.load(moved));
        assertTrue(e.getMessage().contains("io.edgekd.train.oldplace.SoftmaxCrossEntropyLoss") && e.getMessage().contains("moved or renamed"),
                e.getMessage());

        Path junk = Files.write(dir.resolve("junk.zip"), new byte[] {1, 2, 3, 4});
        assertThrows(ModelFileException.class, () -> TrainedModel.load(junk));
        assertThrows(ModelFileException.class, () -> TrainedModel.load(dir.resolve("none.zip")));
    }
}
