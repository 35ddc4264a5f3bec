package io.edgekd.train.export;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.train.Fixtures;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A student trained on the shipped Fashion-MNIST sample, exported, and run on the whole test split in the edge
 * runtime (raw 8-bit frames in, as on a device) and in DL4J: every prediction must agree.
 */
class SampleAgreementTest {
    @TempDir
    Path dir;

    @Test
    void everyTestImageGetsTheSameClassInTheEdgeRuntimeAndInDl4j() throws Exception {
        ImageDataset train = FashionMnist.load(Fixtures.sampleDir(), FashionMnist.Part.TRAIN);
        ImageDataset test = FashionMnist.load(Fixtures.sampleDir(), FashionMnist.Part.TEST);
        Split split = train.split(0.1, 1);
        TrainingResult r = SupervisedTrainer.builder().family(StudentNetwork.builder().build()).role(ModelRole.STUDENT)
                .options(Fixtures.options("student", 1).batchSize(128).build()).build().train(split.train(), split.validation());
        assertTrue(r.validation().accuracy() > 0.5, "a real, if short, training run: " + r.validation().accuracy());
        for (boolean fused : new boolean[] {false, true}) {
            Path onnx = dir.resolve(fused ? "fused.onnx" : "student.onnx");
            new OnnxExporter(ExportOptions.builder().fusePreprocessing(fused).build()).export(r.model(), onnx);
            float[][] dl4j = Dl4jEvaluator.probabilities(r.model().network(), test, r.model().spec().normalization(), 250);
            int agree = 0;
            double maxDiff = 0;
            try (EdgeClassifier edge = EdgeClassifier.open(onnx, EdgeOptions.builder().warmupRuns(0).build())) {
                Classification top = edge.newResult(1);
                byte[] frame = new byte[28 * 28];
                for (int i = 0; i < test.size(); i++) {
                    test.copyImage(i, frame, 0);
                    edge.classify(frame, 28, 28, PixelFormat.GRAY8, top);
                    int expected = io.edgekd.core.classify.Softmax.argmax(dl4j[i], 0, 10);
                    for (int k = 0; k < 10; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(dl4j[i][k] - edge.runner().probability(0, k)));
                    }
                    if (top.index(0) == expected) {
                        agree++;
                    }
                }
            }
            assertEquals(test.size(), agree, (fused ? "fused" : "plain") + ": argmax agreement over the test split");
            assertTrue(maxDiff <= 1e-4, (fused ? "fused" : "plain") + ": max abs probability difference " + maxDiff);
        }
    }
}
