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
import io.edgekd.train.model.Provenance;
import io.edgekd.train.report.CurvePoint;
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
        // Images per second is images seen over training seconds: 10 epochs of the whole training split.
        assertEquals(10.0 * data.train().size(), teacher.imagesPerSecond() * teacher.fitSeconds(), 1e-6 * data.train().size());
    }

    @Test
    void distillationWithAlphaZeroTrainsBitForBitTheStudentAlone() throws Exception {
        // Same seed, options and normalisation: the only difference left is the teacher, weighted 0.
        TrainingResult alone = SupervisedTrainer.builder().family(Fixtures.tinyStudent()).role(ModelRole.STUDENT)
                .normalization(teacher.model().spec().normalization())
                .options(Fixtures.options("student", 3).build()).build().train(data.train(), data.validation());
        TrainingResult kd = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent()).alpha(0)
                .options(Fixtures.options("student-kd", 3).build()).build().train(data.train(), data.validation());
        assertEquals(alone.iterations(), kd.iterations());
        assertArrayEquals(alone.model().network().params().toFloatVector(), kd.model().network().params().toFloatVector(), 0f,
                "alpha = 0 must train exactly the student alone");
        assertEquals(alone.validation().accuracy(), kd.validation().accuracy(), 0);
        assertEquals("distillation", kd.model().spec().provenance().get(Provenance.TRAIN_METHOD));
        assertEquals(teacher.model().spec().normalization(), kd.model().spec().normalization());
        assertTrue(kd.teacherSeconds() > 0, "the teacher's outputs were computed (and cached) once");
    }

    @Test
    void aStudentTaughtOnlyByTheTeacherLearnsTheTask() throws Exception {
        // alpha = 1: the labels carry no weight, everything the student learns comes through the soft term.
        TrainingResult softOnly = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent()).alpha(1).temperature(2)
                .options(Fixtures.options("soft-only", 8).build()).build().train(data.train(), data.validation());
        assertTrue(softOnly.validation().accuracy() >= 0.85, "soft-target-only accuracy " + softOnly.validation().accuracy()
                + " (chance is 0.33; teacher " + teacher.validation().accuracy() + ")");
        float[][] t = Dl4jEvaluator.probabilities(teacher.model().network(), data.validation(), teacher.model().spec().normalization(), 64);
        float[][] st = Dl4jEvaluator.probabilities(softOnly.model().network(), data.validation(), softOnly.model().spec().normalization(), 64);
        int agree = 0;
        for (int i = 0; i < t.length; i++) {
            agree += io.edgekd.core.classify.Softmax.argmax(t[i], 0, 3) == io.edgekd.core.classify.Softmax.argmax(st[i], 0, 3) ? 1 : 0;
        }
        assertTrue(agree >= 0.85 * t.length, "the student agrees with its teacher on " + agree + " of " + t.length);
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
    void earlyStoppingStopsAtTheFirstEpochWithoutImprovementAndKeepsTheBest() throws Exception {
        // A learning rate this high oscillates quickly; patience 1 stops after the first epoch whose validation log
        // loss is not below the best so far, and keep-best returns the best point's weights.
        TrainingResult r = SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(Fixtures.options("es", 12).patience(1).optimizer(OptimizerConfig.adam(0.05)).checkpointDir(dir.resolve("es")).build())
                .build().train(data.train(), data.validation());
        List<CurvePoint> points = r.curve().points();
        int expectedEpochs = points.size();
        double best = Double.POSITIVE_INFINITY;
        for (int e = 0; e < points.size(); e++) {
            if (points.get(e).validationLogLoss() >= best) {
                expectedEpochs = e + 1;
                break;
            }
            best = Math.min(best, points.get(e).validationLogLoss());
        }
        assertTrue(r.stoppedEarly(), "expected a stop before 12 epochs at this learning rate, ran " + r.epochs());
        assertTrue(r.epochs() < 12);
        assertEquals(expectedEpochs, r.epochs(), "stops at the first epoch without improvement");
        double min = points.stream().mapToDouble(CurvePoint::validationLogLoss).min().orElseThrow();
        assertEquals(min, r.validation().logLoss(), 1e-4, "the returned weights are the best point's");
        assertTrue(r.bestEpoch() < r.epochs());
        assertTrue(Files.isRegularFile(dir.resolve("es").resolve(TrainingLoop.BEST_CHECKPOINT)));
    }

    @Test
    void nanLossInTheFirstEpochStopsAndSaysNoCheckpointExists() throws Exception {
        Path ckpt = dir.resolve("nan");
        TrainingException e = assertThrows(TrainingException.class, () -> SupervisedTrainer.builder().family(Fixtures.tinyStudent())
                .options(Fixtures.options("nan", 3).optimizer(OptimizerConfig.sgd(1e38, 0.9)).checkpointDir(ckpt).build())
                .build().train(data.train(), data.validation()));
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("infinite"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*at iteration \\d+ \\(epoch 1, batch \\d+\\).*"), e.getMessage());
        assertTrue(e.getMessage().contains("No checkpoint was written yet"), e.getMessage());
        assertFalse(Files.exists(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT)));
    }

    @Test
    void nanLossAfterACheckpointNamesTheLastGoodCheckpoint() throws Exception {
        Path ckpt = dir.resolve("nan2");
        SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(Fixtures.options("nan2", 1).checkpointDir(ckpt).build()).build()
                .train(data.train(), data.validation());
        Path last = ckpt.resolve(TrainingLoop.LAST_CHECKPOINT);
        TrainedModel resumed = TrainingLoop.resume(last);
        // Continue the same run with a learning rate that blows up in epoch 2.
        TrainingException e = assertThrows(TrainingException.class, () -> SupervisedTrainer.builder()
                .initial(resumed).options(Fixtures.options("nan2", 2).optimizer(OptimizerConfig.sgd(1e38, 0.9)).checkpointDir(ckpt).build())
                .build().train(data.train(), data.validation()));
        assertTrue(e.getMessage().contains("The last good checkpoint is " + last), e.getMessage());
        TrainedModel.load(last);
    }

    @Test
    void aCheckpointWithAMissingStateKeyIsRefusedNamingTheKey() throws Exception {
        Path ckpt = dir.resolve("state");
        SupervisedTrainer.builder().family(Fixtures.tinyStudent()).options(Fixtures.options("state", 1).checkpointDir(ckpt).build()).build()
                .train(data.train(), data.validation());
        TrainedModel last = TrainedModel.load(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT));
        java.util.Map<String, String> state = new java.util.HashMap<>(last.state());
        state.remove(TrainingState.FIT_SECONDS);
        Path broken = dir.resolve("broken.zip");
        last.withState(state).save(broken, true);
        TrainingException e = assertThrows(TrainingException.class, () -> TrainingLoop.resume(broken));
        assertTrue(e.getMessage().contains("'" + TrainingState.FIT_SECONDS + "'"), e.getMessage());
        assertEquals(TrainingState.fromMap(last.state(), "x").toMap(), last.state(), "state keys round-trip");
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
    void modelsSavedWhenTheLossesLivedInTheDistillPackageStillLoad() throws Exception {
        Path file = dir.resolve("m.zip");
        teacher.model().save(file, false);
        Path old = rewriteConfiguration(file, dir.resolve("old.zip"), "io.edgekd.train.loss.SoftmaxCrossEntropyLoss",
                "io.edgekd.train.distill.SoftmaxCrossEntropyLoss");
        TrainedModel back = TrainedModel.load(old);
        float[][] before = Dl4jEvaluator.outputs(teacher.model().network(), data.validation(), teacher.model().spec().normalization(), 50);
        float[][] after = Dl4jEvaluator.outputs(back.network(), data.validation(), back.spec().normalization(), 50);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], after[i], 0f);
        }
        assertTrue(back.network().getOutputLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer out
                && out.getLossFn() instanceof io.edgekd.train.loss.SoftmaxCrossEntropyLoss);

        TrainingResult kd = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent())
                .options(Fixtures.options("kd-old", 1).build()).build().train(data.train(), data.validation());
        Path kdFile = dir.resolve("kd.zip");
        kd.model().save(kdFile, false);
        Path kdOld = rewriteConfiguration(kdFile, dir.resolve("kd-old.zip"), "io.edgekd.train.loss.KnowledgeDistillationLoss",
                "io.edgekd.train.distill.KnowledgeDistillationLoss");
        assertEquals(kd.model().network().params(), TrainedModel.load(kdOld).network().params());
    }

    @Test
    void aModelNamingAClassThatDoesNotExistFailsToLoadSayingSo() throws Exception {
        Path file = dir.resolve("m.zip");
        teacher.model().save(file, false);
        Path moved = rewriteConfiguration(file, dir.resolve("moved.zip"), "io.edgekd.train.loss.SoftmaxCrossEntropyLoss",
                "io.edgekd.train.oldplace.SoftmaxCrossEntropyLoss");
        ModelFileException e = assertThrows(ModelFileException.class, () -> TrainedModel.load(moved));
        assertTrue(e.getMessage().contains("io.edgekd.train.oldplace.SoftmaxCrossEntropyLoss") && e.getMessage().contains("moved or renamed"),
                e.getMessage());

        Path junk = Files.write(dir.resolve("junk.zip"), new byte[] {1, 2, 3, 4});
        assertThrows(ModelFileException.class, () -> TrainedModel.load(junk));
        assertThrows(ModelFileException.class, () -> TrainedModel.load(dir.resolve("none.zip")));
    }

    private static Path rewriteConfiguration(Path file, Path out, String from, String to) throws IOException {
        try (ZipFile in = new ZipFile(file.toFile()); OutputStream raw = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                zip.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    byte[] b = is.readAllBytes();
                    if (e.getName().equals("configuration.json")) {
                        String json = new String(b, StandardCharsets.UTF_8);
                        if (!json.contains(from)) {
                            throw new IllegalStateException("expected " + from + " in the configuration");
                        }
                        b = json.replace(from, to).getBytes(StandardCharsets.UTF_8);
                    }
                    zip.write(b);
                }
                zip.closeEntry();
            }
        }
        return out;
    }
}
