package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.data.BatchSource;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.ModelFileException;
import io.edgekd.train.model.TrainedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The epoch loop shared by {@link SupervisedTrainer} and {@code io.edgekd.train.distill.Distiller}: seeded
 * shuffling and augmentation, minibatch updates, validation into a learning curve, early stopping on validation
 * log loss, a checkpoint after every epoch (written atomically), resume, and a stop with a clear message when
 * the loss turns NaN.
 *
 * <p>Reproducibility: the network's initial weights come from the seed; epoch {@code e} shuffles with a stream
 * derived from the seed and {@code e}, and re-seeds ND4J's generator (dropout) the same way, so a run resumed
 * from a checkpoint sees the same batches as one that was never interrupted.
 */
public final class TrainingLoop {
    /** Checkpoint of the last finished epoch, with optimiser state. */
    public static final String LAST_CHECKPOINT = "last.zip";
    /** Checkpoint of the epoch with the lowest validation log loss. */
    public static final String BEST_CHECKPOINT = "best.zip";

    /**
     * A teacher's contribution to a run.
     *
     * @param model              the teacher
     * @param logitsOnAugmented  compute teacher logits on each augmented batch instead of caching them once
     */
    public record Teacher(TrainedModel model, boolean logitsOnAugmented) {
    }

    /**
     * Everything a run needs.
     *
     * @param options     name, epochs (a resumed run continues to this number), batch size, seed, augmentation,
     *                    validation, early stopping, batch-norm re-estimation, checkpoints and progress
     * @param net         the network to train (already initialised, possibly resumed)
     * @param spec        its spec (provenance is completed at the end)
     * @param train       training examples, classes in the spec's order
     * @param validation  validation examples
     * @param teacher     the teacher, or null
     * @param provenance  provenance entries to record
     * @param transferred layers already transferred into {@code net}
     * @param resumeState state of the checkpoint being resumed, or null
     * @param role        the role of the trained model
     */
    public record Settings(TrainingOptions options, MultiLayerNetwork net, ModelSpec spec, ImageDataset train, ImageDataset validation,
                           Teacher teacher, Map<String, String> provenance, List<String> transferred, Map<String, String> resumeState,
                           ModelRole role) {
    }

    private TrainingLoop() {
    }

    /**
     * @param checkpoint a {@code last.zip} written by this loop
     * @return the network with its optimiser state, its spec and the loop's state
     * @throws TrainingException if it cannot be read
     */
    public static TrainedModel resume(Path checkpoint) throws TrainingException {
        try {
            TrainedModel m = TrainedModel.load(checkpoint);
            if (!m.state().containsKey("epoch")) {
                throw new TrainingException("cannot resume from " + checkpoint + ": expected a training checkpoint (last.zip), found a model "
                        + "without training state");
            }
            return m;
        } catch (ModelFileException e) {
            throw new TrainingException("cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param dir a checkpoint folder
     * @throws TrainingException if it cannot be created or written, said before any training happens
     */
    public static void checkWritable(Path dir) throws TrainingException {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TrainingException("checkpoint folder " + dir + ": expected a writable folder, cannot create it (" + e + ")", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new TrainingException("checkpoint folder " + dir + ": expected a writable folder, found "
                    + (Files.isDirectory(dir) ? "a read-only folder" : "a file"));
        }
        try {
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new TrainingException("checkpoint folder " + dir + ": expected a writable folder, cannot write into it (" + e + ")", e);
        }
    }

    /**
     * Runs the loop.
     *
     * @param s settings
     * @return the result
     * @throws TrainingException on NaN loss or checkpoint failure
     */
    public static TrainingResult run(Settings s) throws TrainingException {
        long wallStart = System.nanoTime();
        TrainingBackend.init();
        MultiLayerNetwork net = s.net();
        Normalization norm = s.spec().normalization();
        BatchSource source = new BatchSource(s.train(), norm);
        int n = s.train().size();
        if (n == 0) {
            throw new IllegalArgumentException("training data: expected at least one example, found none in " + s.train().source());
        }
        int batches = (n + s.options().batchSize() - 1) / s.options().batchSize();

        double teacherSeconds = 0;
        float[][] cachedLogits = null;
        if (s.teacher() != null && !s.teacher().logitsOnAugmented()) {
            long t0 = System.nanoTime();
            cachedLogits = Dl4jEvaluator.outputs(s.teacher().model().network(), s.train(), norm, Math.max(256, s.options().batchSize()));
            teacherSeconds = (System.nanoTime() - t0) / 1e9;
        }

        Map<String, String> state = s.resumeState();
        int startEpoch = state == null ? 0 : Integer.parseInt(state.getOrDefault("epoch", "0"));
        double fitSeconds = state == null ? 0 : Double.parseDouble(state.getOrDefault("fit_seconds", "0"));
        double bestLoss = state == null ? Double.POSITIVE_INFINITY : Double.parseDouble(state.getOrDefault("best_val_log_loss", "Infinity"));
        int bestEpoch = state == null ? 0 : Integer.parseInt(state.getOrDefault("best_epoch", "0"));
        int badEpochs = state == null ? 0 : Integer.parseInt(state.getOrDefault("bad_epochs", "0"));
        LearningCurve curve = state != null && state.containsKey("curve")
                ? LearningCurve.fromCsv(s.options().name(), state.get("curve")) : new LearningCurve(s.options().name());
        boolean keepBest = s.options().keepBest() || s.options().patience() > 0;
        double bestPointLoss = state == null ? Double.POSITIVE_INFINITY
                : Double.parseDouble(state.getOrDefault("best_point_log_loss", "Infinity"));
        long bestIteration = state == null ? 0 : Long.parseLong(state.getOrDefault("best_iteration", "0"));
        INDArray bestParams = null;
        if (keepBest && bestIteration > 0 && s.options().checkpointDir() != null && Files.isRegularFile(s.options().checkpointDir().resolve(BEST_CHECKPOINT))) {
            try {
                bestParams = TrainedModel.load(s.options().checkpointDir().resolve(BEST_CHECKPOINT)).network().params().dup();
            } catch (ModelFileException e) {
                throw new TrainingException("cannot read the best checkpoint to resume early stopping: " + e.getMessage(), e);
            }
        }
        long iteration = net.getIterationCount();
        long lastSavedBest = bestIteration;
        boolean stoppedEarly = false;
        int epoch = startEpoch;
        Path lastCheckpoint = s.options().checkpointDir() == null ? null : s.options().checkpointDir().resolve(LAST_CHECKPOINT);
        boolean haveCheckpoint = state != null;

        while (epoch < s.options().epochs()) {
            Nd4j.getRandom().setSeed(s.options().seed() * 1_000_003L + epoch);
            int[] order = ImageDataset.permutation(n, new SplittableRandom(s.options().seed() * 0x9E3779B97F4A7C15L + epoch));
            s.options().progress().start(String.format(Locale.ROOT, "%-12s epoch %d/%d", s.options().name(), epoch + 1, s.options().epochs()), batches);
            double lossSum = 0;
            int lossCount = 0;
            for (int b = 0; b < batches; b++) {
                long t0 = System.nanoTime();
                int from = b * s.options().batchSize();
                int to = Math.min(n, from + s.options().batchSize());
                int[] pos = new int[to - from];
                System.arraycopy(order, from, pos, 0, pos.length);
                INDArray features = source.features(pos, s.options().augmentation(), s.options().seed(), epoch);
                INDArray labels;
                if (s.teacher() == null) {
                    labels = source.labels(pos, null);
                } else if (cachedLogits != null) {
                    labels = source.labels(pos, cachedLogits);
                } else {
                    long tt = System.nanoTime();
                    float[][] batchLogits = s.teacher().model().network().output(features, false).toFloatMatrix();
                    labels = source.labelsWithBatchLogits(pos, batchLogits);
                    teacherSeconds += (System.nanoTime() - tt) / 1e9;
                }
                net.fit(new DataSet(features, labels));
                TrainingBackend.releaseNativeGarbage();
                iteration++;
                double score = net.score();
                fitSeconds += (System.nanoTime() - t0) / 1e9;
                if (!Double.isFinite(score)) {
                    s.options().progress().finish();
                    throw new TrainingException(String.format(Locale.ROOT,
                            "%s: the loss became %s at iteration %d (epoch %d, batch %d); training stopped. %s",
                            s.options().name(), Double.isNaN(score) ? "NaN" : "infinite", iteration, epoch + 1, b + 1,
                            haveCheckpoint ? "The last good checkpoint is " + lastCheckpoint + "."
                                    : "No checkpoint was written yet (the first epoch did not finish)." )
                            + " Try a lower learning rate.");
                }
                lossSum += score;
                lossCount++;
                s.options().progress().update(b + 1, String.format(Locale.ROOT, "loss %.4f", lossSum / lossCount));
                boolean endOfEpoch = b == batches - 1;
                if (!endOfEpoch && s.options().validationEvery() > 0 && iteration % s.options().validationEvery() == 0) {
                    CurvePoint mid = point(net, s, norm, iteration, epoch + (b + 1.0) / batches, lossSum / lossCount, fitSeconds);
                    curve.add(mid);
                    lossSum = 0;
                    lossCount = 0;
                    if (keepBest && mid.validationLogLoss() < bestPointLoss) {
                        bestPointLoss = mid.validationLogLoss();
                        bestIteration = iteration;
                        bestParams = net.params().dup();
                        bestEpoch = epoch + 1;
                    }
                }
            }
            s.options().progress().finish();
            net.incrementEpochCount();
            epoch++;
            CurvePoint p = point(net, s, norm, iteration, epoch, lossCount == 0 ? Double.NaN : lossSum / lossCount, fitSeconds);
            curve.add(p);
            if (p.validationLogLoss() < bestLoss) {
                bestLoss = p.validationLogLoss();
                badEpochs = 0;
            } else {
                badEpochs++;
            }
            if (keepBest && p.validationLogLoss() < bestPointLoss) {
                bestPointLoss = p.validationLogLoss();
                bestIteration = iteration;
                bestParams = net.params().dup();
                bestEpoch = epoch;
            }
            if (keepBest && bestParams != null && s.options().checkpointDir() != null && bestIteration > 0) {
                Path bestFile = s.options().checkpointDir().resolve(BEST_CHECKPOINT);
                if (bestIteration != lastSavedBest || !Files.isRegularFile(bestFile)) {
                    INDArray current = net.params().dup();
                    net.setParams(bestParams);
                    save(new TrainedModel(net, s.spec(), Map.of("iteration", Long.toString(bestIteration))), bestFile, false);
                    net.setParams(current);
                    lastSavedBest = bestIteration;
                }
            }
            if (s.options().checkpointDir() != null) {
                Map<String, String> st = new LinkedHashMap<>();
                st.put("epoch", Integer.toString(epoch));
                st.put("iteration", Long.toString(iteration));
                st.put("fit_seconds", Double.toString(fitSeconds));
                st.put("best_val_log_loss", Double.toString(bestLoss));
                st.put("best_epoch", Integer.toString(bestEpoch));
                st.put("best_point_log_loss", Double.toString(bestPointLoss));
                st.put("best_iteration", Long.toString(bestIteration));
                st.put("bad_epochs", Integer.toString(badEpochs));
                st.put("seed", Long.toString(s.options().seed()));
                st.put("name", s.options().name());
                st.put("curve", curve.toCsv());
                save(new TrainedModel(net, s.spec(), st), lastCheckpoint, true);
                haveCheckpoint = true;
            }
            if (s.options().patience() > 0 && badEpochs >= s.options().patience()) {
                stoppedEarly = epoch < s.options().epochs();
                break;
            }
        }
        if (keepBest && bestParams != null && bestIteration != iteration) {
            net.setParams(bestParams);
        }
        int returnedEpoch = keepBest && bestEpoch > 0 ? bestEpoch : epoch;
        Evaluation validation = Dl4jEvaluator.evaluate(net, s.validation(), norm, 256);
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double ips = fitSeconds > 0 ? imagesSeen(iteration, n, s.options().batchSize(), batches) / fitSeconds : 0;

        ModelSpec.Builder spec = s.spec().toBuilder().role(s.role());
        spec.provenance(s.provenance());
        spec.provenance("seed", Long.toString(s.options().seed()));
        spec.provenance("train.data", s.train().source());
        spec.provenance("train.data.fingerprint", s.train().fingerprint());
        spec.provenance("train.examples", Integer.toString(n));
        spec.provenance("train.epochs", Integer.toString(epoch));
        spec.provenance("train.iterations", Long.toString(iteration));
        spec.provenance("train.batch_size", Integer.toString(s.options().batchSize()));
        spec.provenance("train.augmentation", s.options().augmentation().toString());
        spec.provenance("train.seconds", String.format(Locale.ROOT, "%.1f", fitSeconds));
        spec.provenance("train.best_epoch", Integer.toString(returnedEpoch));
        if (keepBest) {
            spec.provenance("train.best_iteration", Long.toString(bestIteration));
        }
        spec.provenance("validation.data.fingerprint", s.validation().fingerprint());
        spec.provenance("metrics.validation.accuracy", String.format(Locale.ROOT, "%.6f", validation.accuracy()));
        spec.provenance("metrics.validation.log_loss", String.format(Locale.ROOT, "%.6f", validation.logLoss()));
        if (!s.transferred().isEmpty()) {
            spec.provenance("transfer.layers", String.join(",", s.transferred()));
        }
        TrainedModel model = new TrainedModel(net, spec.build(), Map.of());
        return new TrainingResult(model, curve, validation, epoch, iteration, fitSeconds, wall, teacherSeconds, ips, returnedEpoch,
                stoppedEarly, s.transferred());
    }

    /** Images processed in {@code iterations} minibatches of an epoch of {@code n} examples. */
    private static double imagesSeen(long iterations, int n, int batchSize, int batchesPerEpoch) {
        long full = iterations / batchesPerEpoch;
        long rest = iterations % batchesPerEpoch;
        return full * (double) n + Math.min(n, rest * batchSize);
    }

    private static CurvePoint point(MultiLayerNetwork net, Settings s, Normalization norm, long iteration, double epoch, double trainLoss,
                                    double fitSeconds) {
        if (s.options().preciseBatchNorm() > 0) {
            BatchNormStatistics.recalibrate(net, s.train(), norm, s.options().preciseBatchNorm(), s.options().batchSize());
        }
        Evaluation e = Dl4jEvaluator.evaluate(net, s.validation(), norm, 256);
        return new CurvePoint(iteration, epoch, trainLoss, e.accuracy(), e.logLoss(), fitSeconds);
    }

    private static void save(TrainedModel model, Path file, boolean withUpdater) throws TrainingException {
        try {
            model.save(file, withUpdater);
        } catch (IOException e) {
            throw new TrainingException("cannot write checkpoint " + file + ": " + e, e);
        }
    }
}
