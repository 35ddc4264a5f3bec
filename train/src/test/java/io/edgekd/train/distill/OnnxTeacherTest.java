package io.edgekd.train.distill;

import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.train.Fixtures;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ONNX file as the teacher: the ONNX export of a DL4J teacher gives the student the same soft targets as the DL4J
 * teacher itself (equal up to a per-row constant, which the loss ignores, within 1e-4), on plain and on augmented
 * views, and a student distilled from either comes out with the same accuracy (to one test image). On a
 * 1,000-image cut of the shipped Fashion-MNIST sample.
 */
class OnnxTeacherTest {
    static Split data;
    static ImageDataset test;
    static TrainingResult teacher;

    @TempDir
    static Path dir;

    @BeforeAll
    static void trainTeacher() throws Exception {
        TrainingBackend.init();
        ImageDataset train = FashionMnist.load(Fixtures.sampleDir(), FashionMnist.Part.TRAIN).balanced(100, 3);
        test = FashionMnist.load(Fixtures.sampleDir(), FashionMnist.Part.TEST).balanced(30, 3);
        data = train.split(0.2, 3);
        teacher = SupervisedTrainer.builder().family(Fixtures.tinyTeacher()).role(ModelRole.TEACHER)
                .options(Fixtures.options("teacher", 5).build()).build().train(data.train(), data.validation());
    }

    /** Row-wise log-softmax: what the KD loss sees of a row of logits. */
    static float[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : row) {
            z += Math.exp(v - max);
        }
        float[] out = new float[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = (float) (row[i] - max - Math.log(z));
        }
        return out;
    }

    @Test
    void theOnnxExportTeachesWhatTheDl4jTeacherTeaches() throws Exception {
        Path onnx = dir.resolve("teacher.onnx");
        new OnnxExporter().export(teacher.model(), onnx);
        Dl4jTeacher dl4j = new Dl4jTeacher(teacher.model());
        int[] all = new int[data.train().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        try (OnnxTeacher ort = OnnxTeacher.open(onnx, null, 2)) {
            assertEquals(teacher.model().spec().labels(), ort.labels());
            double maxDiff = 0;
            for (Augmentation aug : List.of(Augmentation.NONE, new Augmentation(true, 2))) {
                float[][] a = dl4j.outputs(data.train(), all, aug, 5, 1);
                float[][] b = ort.outputs(data.train(), all, aug, 5, 1);
                for (int i = 0; i < a.length; i++) {
                    float[] la = logSoftmax(a[i]);
                    for (int k = 0; k < la.length; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(la[k] - b[i][k]));
                    }
                }
            }
            assertTrue(maxDiff <= 1e-4, "log-softmax of the DL4J teacher's logits vs the ONNX teacher's log-probabilities: max |diff| " + maxDiff);

            TrainingResult fromDl4j = Distiller.builder().teacher(teacher.model()).student(Fixtures.tinyStudent()).alpha(0.5)
                    .options(Fixtures.options("from-dl4j", 4).build()).build().train(data.train(), data.validation());
            TrainingResult fromOnnx = Distiller.builder().teacher(ort).student(Fixtures.tinyStudent()).alpha(0.5)
                    .normalization(teacher.model().spec().normalization())
                    .options(Fixtures.options("from-onnx", 4).build()).build().train(data.train(), data.validation());
            double accDl4j = Dl4jEvaluator.evaluate(fromDl4j.model(), test, 100).accuracy();
            double accOnnx = Dl4jEvaluator.evaluate(fromOnnx.model(), test, 100).accuracy();
            // The two teachers' rows differ by float rounding (<= 1e-4 above); over hundreds of updates that may move a
            // borderline test image, so the accuracies must agree to one image of the 300.
            assertEquals(accDl4j, accOnnx, 1.0 / test.size() + 1e-12,
                    "test accuracy of students distilled from the DL4J teacher and from its ONNX export");
            assertTrue(accOnnx > 0.3, "the student learned (chance is 0.1; a tiny student, 4 short epochs): " + accOnnx + ", teacher " + teacher.validation().accuracy());
            assertTrue(fromOnnx.model().spec().provenance().get(Provenance.KD_TEACHER).startsWith("onnx:teacher.onnx"));
            assertTrue(fromOnnx.model().spec().provenance().get(Provenance.KD_TEACHER_LOGITS).contains("log-probabilities"));
        }
    }

    @Test
    void aTeacherWithoutMetadataTakesItsContractFromTheCallerAndBadContractsAreRefused() throws Exception {
        Path onnx = dir.resolve("teacher2.onnx");
        new OnnxExporter().export(teacher.model(), onnx);
        // The spec a user would write for a model trained elsewhere: labels, input, normalisation (no provenance).
        ModelSpec given = ModelSpec.builder().labels(teacher.model().spec().labels()).input(1, 28, 28)
                .normalization(teacher.model().spec().normalization()).build();
        try (OnnxTeacher t = OnnxTeacher.open(onnx, given, 1)) {
            assertEquals(Provenance.UNKNOWN, t.provenance().get(Provenance.KD_TEACHER_ACCURACY));
            ImageDataset reordered = data.train().selectClasses(List.of(FashionMnist.CLASSES.get(1), FashionMnist.CLASSES.get(0)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.checkCompatible(reordered));
            assertTrue(e.getMessage().contains("expected its classes in its order"), e.getMessage());
            IllegalStateException transfer = assertThrows(IllegalStateException.class,
                    () -> Distiller.builder().teacher(t).transferStem(true).build());
            assertTrue(transfer.getMessage().contains("expected a DL4J teacher"), transfer.getMessage());
        }
        assertThrows(io.edgekd.runtime.EdgeModelException.class, () -> OnnxTeacher.open(dir.resolve("missing.onnx"), null, 1));
    }
}
