package io.edgekd.train.parallel;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.train.Fixtures;
import io.edgekd.train.data.DatasetStatistics;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.BatchFitter;
import io.edgekd.train.training.ModelSpecs;
import io.edgekd.train.training.OptimizerConfig;
import io.edgekd.train.training.TrainingLoop;
import io.edgekd.train.training.TrainingOptions;
import io.edgekd.train.training.TrainingResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParallelWrapper through the real training loop: 2 CPU workers at batch {@code b}, averaging every round, plain SGD,
 * take the same steps as one device at batch {@code 2b}. The loop deals its batches in order, two per round, and batch
 * {@code k} of the single-device run is exactly batches {@code 2k} and {@code 2k+1} of the parallel run (same seeded
 * permutation, same positions), so the comparison is exact up to float rounding; no batch normalisation or dropout,
 * which would see half batches or per-thread random streams.
 */
class ParallelWrapperEquivalenceTest {
    private static final int BATCH = 16;

    @TempDir
    Path dir;

    /** 3 classes of 8x8 shapes, 192 training images: 6 merged batches of 32 per epoch. */
    private static Split data() {
        ImageDataset all = SyntheticImages.builder().classes(3).size(8, 8).channels(1).perClass(80).seed(3).noise(8).build();
        Split s = all.split(0.2, 5);
        assertEquals(0, s.train().size() % (2 * BATCH), "the test wants whole rounds: " + s.train().size());
        return s;
    }

    private TrainingResult train(Split s, int batch, BatchFitter fitter, Path checkpoints) throws Exception {
        TrainingLoop.checkWritable(checkpoints);
        MultiLayerNetwork net = Fixtures.sgdNet(1, 8, 3, 21);
        TrainingOptions o = TrainingOptions.builder().name("pw").epochs(2).batchSize(batch).seed(9).optimizer(OptimizerConfig.defaults())
                .preciseBatchNorm(0).progress(ProgressBar.quiet()).fitter(fitter).checkpointDir(checkpoints).build();
        var spec = ModelSpecs.forData(s.train(), DatasetStatistics.normalization(s.train()), ModelRole.STUDENT);
        return TrainingLoop.run(new TrainingLoop.Settings(o, net, spec, s.train(), s.validation(), null, Map.of(), List.of(), null,
                ModelRole.STUDENT));
    }

    @Test
    void twoWorkersAveragingEveryRoundEqualOneDeviceOnTheMergedBatches() throws Exception {
        Split s = data();
        INDArray initial = Fixtures.sgdNet(1, 8, 3, 21).params().dup();
        TrainingResult single = train(s, 2 * BATCH, BatchFitter.SINGLE_DEVICE, null);
        ParallelWrapperFitter pw = ParallelWrapperFitter.builder().workers(2).averagingFrequency(1).prefetch(2).build();
        TrainingResult parallel = train(s, BATCH, pw, dir);

        INDArray a = single.model().network().params();
        INDArray b = parallel.model().network().params();
        double moved = a.sub(initial).norm2Number().doubleValue();
        double maxDiff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(moved > 0.1, "training moved the weights: |w - w0| = " + moved);
        assertTrue(maxDiff <= 1e-5, "max |w_single - w_parallel| = " + maxDiff + " (expected <= 1e-5)");

        // The curve counts minibatches: the parallel run's are half as large and twice as many.
        assertEquals(2 * single.iterations(), parallel.iterations());
        assertEquals(single.curve().points().size(), parallel.curve().points().size());
        assertEquals(single.validation().accuracy(), parallel.validation().accuracy(), 1e-9);
        assertEquals("ParallelWrapper 2 workers, averaging every 1, prefetch 2",
                parallel.model().spec().provenance().get(Provenance.TRAIN_FITTER));
        assertTrue(Files.isRegularFile(dir.resolve(TrainingLoop.LAST_CHECKPOINT)), "checkpoint written");
        assertTrue(parallel.model().network().getListeners().isEmpty(), "the wrapper's listeners are taken off the network");
    }

    @Test
    void aResumedParallelRunEndsWhereAnUninterruptedOneDoes() throws Exception {
        Split s = data();
        ParallelWrapperFitter pw = ParallelWrapperFitter.builder().workers(2).build();
        TrainingResult whole = train(s, BATCH, pw, dir.resolve("whole"));
        // One epoch, then resume to two.
        MultiLayerNetwork net = Fixtures.sgdNet(1, 8, 3, 21);
        var spec = ModelSpecs.forData(s.train(), DatasetStatistics.normalization(s.train()), ModelRole.STUDENT);
        TrainingOptions first = TrainingOptions.builder().name("pw").epochs(2).batchSize(BATCH).seed(9).preciseBatchNorm(0)
                .progress(ProgressBar.quiet()).fitter(pw).checkpointDir(dir.resolve("part")).build();
        TrainingLoop.checkWritable(dir.resolve("part"));
        TrainingLoop.run(new TrainingLoop.Settings(first, net, spec, s.train(), s.validation(), null, Map.of(), List.of(), null, ModelRole.STUDENT));
        var resumed = TrainingLoop.resume(dir.resolve("part").resolve(TrainingLoop.LAST_CHECKPOINT));
        TrainingOptions second = first.toBuilder().epochs(2).resumeFrom(dir.resolve("part").resolve(TrainingLoop.LAST_CHECKPOINT)).build();
        TrainingResult rest = TrainingLoop.run(new TrainingLoop.Settings(second, resumed.network(), resumed.spec(), s.train(), s.validation(),
                null, Map.of(), List.of(), resumed.state(), ModelRole.STUDENT));
        double maxDiff = whole.model().network().params().sub(rest.model().network().params()).amaxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-5, "resumed vs uninterrupted: max |dw| = " + maxDiff);
        assertEquals(whole.iterations(), rest.iterations());
    }

    @Test
    void oneWorkerIsSingleDeviceTraining() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParallelWrapperFitter.builder().workers(1));
        assertTrue(e.getMessage().contains("expected at least 2"), e.getMessage());
    }
}
