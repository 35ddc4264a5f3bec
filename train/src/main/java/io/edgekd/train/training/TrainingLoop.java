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
import io.edgekd.train.network.Dl4jNetworks;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.report.CurvePoint;
import io.edgekd.train.report.LearningCurve;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The epoch loop shared by {@link SupervisedTrainer} and {@code io.edgekd.train.distill.Distiller}: seeded
 * shuffling and augmentation, minibatch updates towards the {@link BatchTargets}, validation into a learning curve,
 * keep-best model selection, early stopping on validation log loss, a checkpoint after every epoch (written
 * atomically), resume, and a stop with a clear message when the loss turns NaN.
 *
 * <p>Reproducibility: the network's initial weights come from the seed; epoch {@code e} shuffles with a stream
 * derived from the seed and {@code e}, and re-seeds ND4J's generator (dropout) the same way, so a run resumed
 * from a checkpoint sees the same batches as one that was never interrupted, and two runs with the same seed and
 * data see the same batches whatever their targets are (the paired comparison of a distilled student with the
 * same student trained alone rests on this).
 *
 * <p>Thread safety: {@link #run} runs the loop on a thread of its own (measurably faster than the JVM's main thread)
 * and blocks the caller until it ends; the minibatches update the network where the options' {@link BatchFitter} puts
 * them (the loop's thread for the single device, worker threads or Spark executors otherwise). The network must not be
 * used elsewhere meanwhile.
 */
public final class TrainingLoop {
    /** Checkpoint of the last finished epoch, with optimiser state. */
    public static final String LAST_CHECKPOINT = "last.zip";
    /** Checkpoint of the validation point with the lowest validation log loss. */
    public static final String BEST_CHECKPOINT = "best.zip";

    /**
     * Everything a run needs.
     *
     * @param options     name, epochs (a resumed run continues to this number), batch size, seed, augmentation,
     *                    validation, early stopping, batch-norm re-estimation, checkpoints and progress
     * @param net         the network to train (already initialised, possibly resumed)
     * @param spec        its spec (provenance is completed at the end)
     * @param train       training examples, classes in the spec's order
     * @param validation  validation examples
     * @param targets     what each batch is trained towards; null for one-hot labels
     * @param provenance  provenance entries to record
     * @param transferred layers already transferred into {@code net}
     * @param resumeState state of the checkpoint being resumed, or null
     * @param role        the role of the trained model
     */
    public record Settings(TrainingOptions options, MultiLayerNetwork net, ModelSpec spec, ImageDataset train, ImageDataset validation,
                           BatchTargets targets, Map<String, String> provenance, List<String> transferred, Map<String, String> resumeState,
                           ModelRole role) {
        /** Validates. */
        public Settings {
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(net, "net");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(validation, "validation");
            provenance = Map.copyOf(provenance);
            transferred = List.copyOf(transferred);
        }
    }

    private TrainingLoop() {
    }

    /**
     * @param checkpoint a {@code last.zip} written by this loop
     * @return the network with its optimiser state, its spec and the loop's state
     * @throws TrainingException if it cannot be read or carries no training state
     */
    public static TrainedModel resume(Path checkpoint) throws TrainingException {
        TrainedModel m;
        try {
            m = TrainedModel.load(checkpoint);
        } catch (ModelFileException e) {
            throw new TrainingException("cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
        if (!TrainingState.isPresent(m.state())) {
            throw new TrainingException("cannot resume from " + checkpoint + ": expected a training checkpoint (last.zip), found a model "
                    + "without training state");
        }
        TrainingState.fromMap(m.state(), checkpoint.toString());
        return m;
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
     * The training threads: one per run at a time, kept for later runs (a sequence of runs uses one thread), daemons,
     * so they never keep the JVM alive.
     */
    private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.MINUTES,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "edgekd-training-idle");
                t.setDaemon(true);
                return t;
            });

    /**
     * Runs the loop.
     *
     * @param s settings
     * @return the result
     * @throws TrainingException on NaN loss, a failing target source or checkpoint failure
     */
    public static TrainingResult run(Settings s) throws TrainingException {
        if (s.train().size() == 0) {
            throw new IllegalArgumentException("training data: expected at least one example, found none in " + s.train().source());
        }
        TrainingBackend.init();
        // Measured here: the same fits run at under half the speed on the JVM's main thread that they reach on a thread
        // of their own (35-42 against 82-95 images/s for the default student, batch 64, side by side; 32 against 214
        // on a quieter machine). So the whole run, its seeding of ND4J's per-thread generator included, happens on a
        // training thread, and the caller waits for it. Training threads are kept and reused (WORKERS): ND4J gives
        // every thread native state of its own that it never frees when the thread ends (its random generator's
        // buffer, caches; measured: about 170 MB per thread for the default student, TrainingMemoryTest), so a new
        // thread per run made a process that trains run after run grow by that much per run.
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        Future<?> done = WORKERS.submit(() -> {
            Thread me = Thread.currentThread();
            worker.set(me);
            String idle = me.getName();
            me.setName("edgekd-training-" + s.options().name());
            Thread.interrupted(); // an interrupt meant for an earlier run on this thread is not this run's
            try {
                Run run = new Run(s);
                run.epochs();
                outcome.set(run.finish());
            } catch (Throwable e) {
                outcome.set(e);
            } finally {
                // ND4J keeps its workspaces (activation and gradient memory, off the heap) per thread: hand them back
                // so that the next run on this thread, perhaps of a smaller network, does not sit beside them.
                try {
                    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
                } catch (RuntimeException e) {
                    outcome.compareAndSet(null, e);
                }
                me.setName(idle);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                done.get();
                break;
            } catch (InterruptedException e) {
                // Training cannot be abandoned half-way (its network is shared); pass the interrupt on and keep waiting.
                interrupted = true;
                Thread t = worker.get();
                if (t != null) {
                    t.interrupt();
                }
            } catch (ExecutionException e) {
                outcome.compareAndSet(null, e.getCause());
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = outcome.get();
        if (r instanceof TrainingResult result) {
            return result;
        }
        if (r instanceof TrainingException e) {
            throw e;
        }
        if (r instanceof RuntimeException e) {
            throw e;
        }
        if (r instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("training thread ended without a result", (Throwable) r);
    }

    /** One run's working state; each step below is one idea of the loop. */
    private static final class Run {
        private final Settings s;
        private final TrainingOptions o;
        private final MultiLayerNetwork net;
        private final Normalization norm;
        private final BatchSource source;
        private final BatchTargets targets;
        private final int n;
        private final int batches;
        private final long wallStart = System.nanoTime();
        private final Checkpoints checkpoints;
        private final Best best;
        private TrainingState state;
        private boolean stoppedEarly;

        Run(Settings s) throws TrainingException {
            this.s = s;
            this.o = s.options();
            this.net = s.net();
            this.norm = s.spec().normalization();
            this.source = new BatchSource(s.train(), norm, Dl4jNetworks.inputFormat(net));
            this.targets = s.targets() != null ? s.targets() : BatchTargets.oneHot(s.train());
            this.n = s.train().size();
            this.batches = (n + o.batchSize() - 1) / o.batchSize();
            // Checkpoints carry what the run is (network, method, optimiser), so a last.zip can also start a new run.
            this.checkpoints = new Checkpoints(o.checkpointDir(), s.spec().toBuilder().role(s.role()).provenance(s.provenance()).build());
            this.state = s.resumeState() == null ? TrainingState.start(o.name(), o.seed())
                    : TrainingState.fromMap(s.resumeState(), String.valueOf(o.resumeFrom()));
            this.best = new Best(o.keepBest() || o.patience() > 0, state, checkpoints.loadBest(state));
        }

        void epochs() throws TrainingException {
            // A resumed run counts minibatches as the checkpoint did; a fresh one starts where the network's own count is
            // (a fine-tuned model keeps its history). With several workers DL4J's count is one per averaged step instead.
            long iteration = s.resumeState() != null ? state.iteration() : net.getIterationCount();
            double fitSeconds = state.fitSeconds();
            LearningCurve curve = state.curve();
            for (int epoch = state.epoch(); epoch < o.epochs(); epoch++) {
                Nd4j.getRandom().setSeed(o.seed() * 1_000_003L + epoch);
                int[] order = ImageDataset.permutation(n, new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + epoch));
                o.progress().start(String.format(Locale.ROOT, "%-12s epoch %d/%d", o.name(), epoch + 1, o.epochs()), batches);
                Losses losses = new Losses(o);
                int b = 0;
                while (b < batches) {
                    int end = stretchEnd(iteration, b);
                    long t0 = System.nanoTime();
                    fitStretch(order, b, end, epoch, losses);
                    fitSeconds += (System.nanoTime() - t0) / 1e9;
                    if (losses.failed >= 0) {
                        requireFinite(losses.failedScore, iteration + losses.failed - b + 1, epoch, losses.failed);
                    }
                    iteration += end - b;
                    b = end;
                    if (b < batches) { // the stretch ended at a mid-epoch validation point
                        CurvePoint mid = validate(iteration, epoch + (double) b / batches, losses.mean(), fitSeconds);
                        curve.add(mid);
                        best.offer(mid, net, epoch + 1);
                        losses.reset();
                    }
                }
                o.progress().finish();
                net.incrementEpochCount();
                CurvePoint p = validate(iteration, epoch + 1, losses.mean(), fitSeconds);
                curve.add(p);
                best.offer(p, net, epoch + 1);
                boolean improved = p.validationLogLoss() < state.bestEpochLoss();
                state = new TrainingState(o.name(), o.seed(), epoch + 1, iteration, fitSeconds,
                        improved ? p.validationLogLoss() : state.bestEpochLoss(), improved ? 0 : state.badEpochs() + 1,
                        best.loss, best.iteration, best.epoch, curve);
                checkpoints.saveBest(best, net);
                checkpoints.saveLast(net, state);
                if (o.patience() > 0 && state.badEpochs() >= o.patience()) {
                    stoppedEarly = epoch + 1 < o.epochs();
                    break;
                }
            }
        }

        /** @return the batch after the next mid-epoch validation point from batch {@code b} on, or the epoch's end */
        private int stretchEnd(long iteration, int b) {
            for (int i = b; i < batches; i++) {
                if (midEpochValidation(iteration + (i - b) + 1, i)) {
                    return i + 1;
                }
            }
            return batches;
        }

        /** Hands batches {@code from} (inclusive) to {@code to} of the epoch to the fitter; they are built as it reads them. */
        private void fitStretch(int[] order, int from, int to, int epoch, Losses losses) throws TrainingException {
            Iterator<DataSet> it = new Iterator<>() {
                private int next = from;

                @Override
                public boolean hasNext() {
                    return next < to;
                }

                @Override
                public DataSet next() {
                    if (next >= to) {
                        throw new NoSuchElementException("batch " + next + ": expected fewer than " + to);
                    }
                    int[] pos = batchPositions(order, next++);
                    INDArray features = source.features(pos, o.augmentation(), o.seed(), epoch);
                    try {
                        return new DataSet(features, targets.labels(pos, epoch));
                    } catch (TrainingException e) {
                        throw new BatchFitter.TargetsFailure(e);
                    }
                }
            };
            losses.startStretch(from);
            try {
                o.fitter().fit(net, it, to - from, losses);
            } catch (BatchFitter.TargetsFailure e) {
                o.progress().finish();
                throw e.failure();
            } catch (RuntimeException e) {
                BatchFitter.TargetsFailure f = BatchFitter.TargetsFailure.find(e);
                if (f != null) {
                    o.progress().finish();
                    throw f.failure();
                }
                throw e;
            }
        }

        private int[] batchPositions(int[] order, int b) {
            int from = b * o.batchSize();
            int to = Math.min(n, from + o.batchSize());
            int[] pos = new int[to - from];
            System.arraycopy(order, from, pos, 0, pos.length);
            return pos;
        }

        /**
         * A validation every {@code validationEvery} iterations, except where the epoch's own validation follows within
         * half that many: two points at almost the same iteration only draw a vertical jump in the learning curve.
         */
        private boolean midEpochValidation(long iteration, int b) {
            int every = o.validationEvery();
            int left = batches - 1 - b;
            return every > 0 && left > 0 && iteration % every == 0 && left >= (every + 1) / 2;
        }

        private void requireFinite(double score, long iteration, int epoch, int b) throws TrainingException {
            o.progress().finish();
            throw new TrainingException(String.format(Locale.ROOT,
                    "%s: the loss became %s at iteration %d (epoch %d, batch %d); training stopped. %s Try a lower learning rate.",
                    o.name(), Double.isNaN(score) ? "NaN" : "infinite", iteration, epoch + 1, b + 1,
                    checkpoints.hasLast() ? "The last good checkpoint is " + checkpoints.last() + "."
                            : "No checkpoint was written yet (the first epoch did not finish)."));
        }

        private CurvePoint validate(long iteration, double epoch, double trainLoss, double fitSeconds) {
            if (o.preciseBatchNorm() > 0) {
                BatchNormStatistics.recalibrate(net, s.train(), norm, o.preciseBatchNorm(), o.batchSize());
            }
            Evaluation e = Dl4jEvaluator.evaluate(net, s.validation(), norm, 256);
            return new CurvePoint(iteration, epoch, trainLoss, e.accuracy(), e.logLoss(), fitSeconds);
        }

        TrainingResult finish() {
            long iteration = state.iteration();
            if (best.params != null && best.iteration != iteration) {
                net.setParams(best.params);
            }
            int returnedEpoch = best.enabled && best.epoch > 0 ? best.epoch : state.epoch();
            Evaluation validation = Dl4jEvaluator.evaluate(net, s.validation(), norm, 256);
            double wall = (System.nanoTime() - wallStart) / 1e9;
            double ips = state.fitSeconds() > 0 ? imagesSeen(iteration) / state.fitSeconds() : 0;
            TrainedModel model = new TrainedModel(net, provenance(validation, returnedEpoch), Map.of());
            return new TrainingResult(model, state.curve(), validation, state.epoch(), iteration, state.fitSeconds(), wall, targets.seconds(),
                    ips, returnedEpoch, stoppedEarly, s.transferred());
        }

        private ModelSpec provenance(Evaluation validation, int returnedEpoch) {
            ModelSpec.Builder spec = s.spec().toBuilder().role(s.role());
            spec.provenance(s.provenance());
            spec.provenance(Provenance.SEED, Long.toString(o.seed()));
            spec.provenance(Provenance.TRAIN_DATA, s.train().source());
            spec.provenance(Provenance.TRAIN_DATA_FINGERPRINT, s.train().fingerprint());
            spec.provenance(Provenance.TRAIN_EXAMPLES, Integer.toString(n));
            spec.provenance(Provenance.TRAIN_EPOCHS, Integer.toString(state.epoch()));
            spec.provenance(Provenance.TRAIN_ITERATIONS, Long.toString(state.iteration()));
            spec.provenance(Provenance.TRAIN_BATCH_SIZE, Integer.toString(o.batchSize()));
            if (o.fitter() != BatchFitter.SINGLE_DEVICE) {
                spec.provenance(Provenance.TRAIN_FITTER, o.fitter().describe());
            }
            spec.provenance(Provenance.TRAIN_AUGMENTATION, o.augmentation().toString());
            spec.provenance(Provenance.TRAIN_TARGETS, targets.describe());
            spec.provenance(Provenance.TRAIN_SECONDS, String.format(Locale.ROOT, "%.1f", state.fitSeconds()));
            spec.provenance(Provenance.TRAIN_BEST_EPOCH, Integer.toString(returnedEpoch));
            if (best.enabled) {
                spec.provenance(Provenance.TRAIN_BEST_ITERATION, Long.toString(best.iteration));
            }
            spec.provenance(Provenance.VALIDATION_DATA_FINGERPRINT, s.validation().fingerprint());
            spec.provenance(Provenance.VALIDATION_ACCURACY, String.format(Locale.ROOT, "%.6f", validation.accuracy()));
            spec.provenance(Provenance.VALIDATION_LOG_LOSS, String.format(Locale.ROOT, "%.6f", validation.logLoss()));
            if (!s.transferred().isEmpty()) {
                spec.provenance(Provenance.TRANSFER_LAYERS, String.join(",", s.transferred()));
            }
            return spec.build();
        }

        /** Images processed in {@code iterations} minibatches. */
        private double imagesSeen(long iterations) {
            long full = iterations / batches;
            long rest = iterations % batches;
            return full * (double) n + Math.min(n, rest * o.batchSize());
        }
    }

    /**
     * The training losses of an epoch since its last validation point, fed by the fitter (from its threads, hence
     * synchronised), and the progress bar; remembers the first batch whose loss was not finite.
     */
    private static final class Losses implements BatchFitter.Listener {
        private final TrainingOptions o;
        private double sum;
        private int count;
        private int done;
        int failed = -1;
        double failedScore;

        Losses(TrainingOptions o) {
            this.o = o;
        }

        synchronized void startStretch(int from) {
            done = from;
        }

        @Override
        public synchronized boolean finished(int batchCount, double meanScore) {
            if (failed >= 0) {
                return false;
            }
            if (!Double.isFinite(meanScore)) {
                failed = done + batchCount - 1;
                failedScore = meanScore;
                return false;
            }
            done += batchCount;
            sum += meanScore * batchCount;
            count += batchCount;
            o.progress().update(done, String.format(Locale.ROOT, "loss %.4f", sum / count));
            return true;
        }

        synchronized double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        synchronized void reset() {
            sum = 0;
            count = 0;
        }
    }

    /** Keep-best model selection: the weights of the validation point with the lowest validation log loss. */
    private static final class Best {
        final boolean enabled;
        double loss;
        long iteration;
        int epoch;
        INDArray params;
        long saved;

        Best(boolean enabled, TrainingState state, INDArray savedParams) {
            this.enabled = enabled;
            this.loss = state.bestPointLoss();
            this.iteration = state.bestIteration();
            this.epoch = state.bestEpoch();
            this.params = enabled ? savedParams : null;
            this.saved = state.bestIteration();
        }

        void offer(CurvePoint p, MultiLayerNetwork net, int epoch1) {
            if (enabled && p.validationLogLoss() < loss) {
                loss = p.validationLogLoss();
                iteration = p.iteration();
                epoch = epoch1;
                params = net.params().dup();
            }
        }
    }

    /** The checkpoint folder: {@code last.zip} after every epoch, {@code best.zip} when the best point changed. */
    private static final class Checkpoints {
        private final Path dir;
        private final ModelSpec spec;
        private boolean wroteLast;

        Checkpoints(Path dir, ModelSpec spec) {
            this.dir = dir;
            this.spec = spec;
            this.wroteLast = dir != null && Files.isRegularFile(dir.resolve(LAST_CHECKPOINT));
        }

        Path last() {
            return dir == null ? null : dir.resolve(LAST_CHECKPOINT);
        }

        boolean hasLast() {
            return wroteLast;
        }

        /** The parameters of a resumed run's best point, when it had one. */
        INDArray loadBest(TrainingState state) throws TrainingException {
            if (dir == null || state.bestIteration() == 0 || !Files.isRegularFile(dir.resolve(BEST_CHECKPOINT))) {
                return null;
            }
            try {
                return TrainedModel.load(dir.resolve(BEST_CHECKPOINT)).network().params().dup();
            } catch (ModelFileException e) {
                throw new TrainingException("cannot read the best checkpoint to resume keep-best selection: " + e.getMessage(), e);
            }
        }

        void saveBest(Best best, MultiLayerNetwork net) throws TrainingException {
            if (dir == null || !best.enabled || best.params == null || best.iteration == 0) {
                return;
            }
            Path file = dir.resolve(BEST_CHECKPOINT);
            if (best.iteration == best.saved && Files.isRegularFile(file)) {
                return;
            }
            INDArray current = net.params().dup();
            net.setParams(best.params);
            try {
                save(new TrainedModel(net, spec, Map.of(TrainingState.ITERATION, Long.toString(best.iteration))), file, false);
            } finally {
                net.setParams(current);
            }
            best.saved = best.iteration;
        }

        void saveLast(MultiLayerNetwork net, TrainingState state) throws TrainingException {
            if (dir == null) {
                return;
            }
            save(new TrainedModel(net, spec, state.toMap()), last(), true);
            wroteLast = true;
        }

        private static void save(TrainedModel model, Path file, boolean withUpdater) throws TrainingException {
            try {
                model.save(file, withUpdater);
            } catch (IOException e) {
                throw new TrainingException("cannot write checkpoint " + file + ": " + e, e);
            }
        }
    }
}
