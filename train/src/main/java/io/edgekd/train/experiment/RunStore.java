package io.edgekd.train.experiment;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.ModelFileException;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.report.LearningCurve;
import io.edgekd.train.training.TrainingLoop;
import io.edgekd.train.training.TrainingOptions;
import io.edgekd.train.training.TrainingResult;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Makes an experiment resumable: every finished run is kept in {@code runs/} as a model file that also carries its
 * result and a fingerprint of everything that determined it (data, network, options, seed, teacher); every run in
 * progress writes checkpoints into {@code runs/<run>-<fingerprint>/}. Running the same experiment again with the same
 * output folder reuses each finished run whose fingerprint still matches, resumes the interrupted one from its last
 * checkpoint (giving the numbers an uninterrupted run gives), and trains the rest.
 *
 * <p>Several processes may share one folder: a run is trained only by the process that holds its claim (an exclusive
 * lock on {@code runs/<run>-<fingerprint>.lock}, see {@link #claim}). The operating system drops the lock when its
 * process ends, however it ends, so a run whose process was killed can be claimed, and resumed, by the next one.
 * Threads of one JVM are kept apart by the same claims.
 *
 * <p>Thread safety: not thread-safe; give each thread its own store.
 */
final class RunStore {
    static final String FOLDER = "runs";
    private static final String FINGERPRINT = "experiment.fingerprint";
    private static final String CURVE = "result.curve";
    private static final String EPOCHS = "result.epochs";
    private static final String ITERATIONS = "result.iterations";
    private static final String FIT_SECONDS = "result.fit_seconds";
    private static final String WALL_SECONDS = "result.wall_seconds";
    private static final String TEACHER_SECONDS = "result.teacher_seconds";
    private static final String IMAGES_PER_SECOND = "result.images_per_second";
    private static final String BEST_EPOCH = "result.best_epoch";
    private static final String STOPPED_EARLY = "result.stopped_early";
    private static final String TRANSFERRED = "result.transferred";
    private static final List<String> KEYS = List.of(FINGERPRINT, CURVE, EPOCHS, ITERATIONS, FIT_SECONDS, WALL_SECONDS, TEACHER_SECONDS,
            IMAGES_PER_SECOND, BEST_EPOCH, STOPPED_EARLY, TRANSFERRED);

    private final Path dir;
    private int reused;
    private int resumed;

    RunStore(Path out) throws IOException {
        this.dir = out.resolve(FOLDER);
        Files.createDirectories(dir);
    }

    /** @return finished runs taken from an earlier invocation */
    int reused() {
        return reused;
    }

    /** @return runs continued from a checkpoint */
    int resumed() {
        return resumed;
    }

    /**
     * @param parts everything that determines a run's result
     * @return a SHA-256 over them
     */
    static String fingerprint(Object... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object p : parts) {
                md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** @return what of a run's options determines its result */
    static String describe(TrainingOptions o) {
        return "epochs=" + o.epochs() + " batch=" + o.batchSize() + " seed=" + o.seed() + " optimizer=" + o.optimizer().describe()
                + " augmentation=" + o.augmentation() + " validationEvery=" + o.validationEvery() + " patience=" + o.patience()
                + " keepBest=" + o.keepBest() + " preciseBatchNorm=" + o.preciseBatchNorm() + " format=" + o.dataFormat();
    }

    /**
     * @param run         run name (file name without extension)
     * @param fingerprint its fingerprint
     * @param validation  validation data (the result's validation metrics are recomputed, not stored)
     * @return the finished run, if one with this fingerprint is stored
     */
    Optional<TrainingResult> finished(String run, String fingerprint, ImageDataset validation) {
        Path file = dir.resolve(run + ".zip");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        TrainedModel m;
        try {
            m = TrainedModel.load(file);
        } catch (ModelFileException e) {
            return Optional.empty(); // unreadable (e.g. written by another version): train it again
        }
        Map<String, String> s = m.state();
        if (!fingerprint.equals(s.get(FINGERPRINT)) || !s.keySet().containsAll(KEYS)) {
            return Optional.empty();
        }
        Evaluation val = Dl4jEvaluator.evaluate(m, validation, 256);
        String t = s.get(TRANSFERRED);
        reused++;
        return Optional.of(new TrainingResult(m.withState(Map.of()), LearningCurve.fromCsv(run, s.get(CURVE)), val,
                Integer.parseInt(s.get(EPOCHS)), Long.parseLong(s.get(ITERATIONS)), Double.parseDouble(s.get(FIT_SECONDS)),
                Double.parseDouble(s.get(WALL_SECONDS)), Double.parseDouble(s.get(TEACHER_SECONDS)), Double.parseDouble(s.get(IMAGES_PER_SECOND)),
                Integer.parseInt(s.get(BEST_EPOCH)), Boolean.parseBoolean(s.get(STOPPED_EARLY)), t.isEmpty() ? List.of() : List.of(t.split(","))));
    }

    /**
     * @param run         run name
     * @param fingerprint its fingerprint
     * @param options     the run's options
     * @return the options with this run's checkpoint folder, resuming from its last checkpoint when there is one
     */
    TrainingOptions checkpointed(String run, String fingerprint, TrainingOptions options) {
        Path ckpt = checkpoints(run, fingerprint);
        TrainingOptions.Builder b = options.toBuilder().checkpointDir(ckpt).resumeFrom(null);
        if (Files.isRegularFile(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT))) {
            b.resumeFrom(ckpt.resolve(TrainingLoop.LAST_CHECKPOINT));
            resumed++;
        }
        return b.build();
    }

    /**
     * Keeps a finished run, then drops its checkpoints.
     *
     * @param run         run name
     * @param fingerprint its fingerprint
     * @param r           its result
     * @throws IOException if it cannot be written
     */
    void save(String run, String fingerprint, TrainingResult r) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(FINGERPRINT, fingerprint);
        s.put(CURVE, r.curve().toCsv());
        s.put(EPOCHS, Integer.toString(r.epochs()));
        s.put(ITERATIONS, Long.toString(r.iterations()));
        s.put(FIT_SECONDS, Double.toString(r.fitSeconds()));
        s.put(WALL_SECONDS, Double.toString(r.wallSeconds()));
        s.put(TEACHER_SECONDS, Double.toString(r.teacherSeconds()));
        s.put(IMAGES_PER_SECOND, Double.toString(r.imagesPerSecond()));
        s.put(BEST_EPOCH, Integer.toString(r.bestEpoch()));
        s.put(STOPPED_EARLY, Boolean.toString(r.stoppedEarly()));
        s.put(TRANSFERRED, String.join(",", r.transferredLayers()));
        r.model().withState(s).save(dir.resolve(run + ".zip"), false);
        dropCheckpoints(run, fingerprint);
    }

    /**
     * Deletes a finished run's checkpoint folder, if there is one.
     *
     * @param run         run name
     * @param fingerprint its fingerprint
     * @throws IOException if it cannot be deleted
     */
    void dropCheckpoints(String run, String fingerprint) throws IOException {
        Path ckpt = checkpoints(run, fingerprint);
        if (Files.isDirectory(ckpt)) {
            try (Stream<Path> files = Files.walk(ckpt)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Claims a run for this process: only the holder of a run's claim trains it. Check {@link #finished} again after
     * claiming: another process may have finished the run since the first look.
     *
     * @param run         run name
     * @param fingerprint its fingerprint
     * @return the claim, to be closed when the run is saved; empty when another process (or another thread of this
     *         one) holds it
     * @throws IOException if the lock file cannot be opened
     */
    Optional<Claim> claim(String run, String fingerprint) throws IOException {
        Path file = lockFile(run + "-" + fingerprint.substring(0, 12));
        // POSIX record locks belong to the process, and closing any descriptor of the file drops all of them: a thread
        // must not even open a lock file another thread of this JVM holds, so those are known here first.
        if (!HELD_HERE.add(file)) {
            return Optional.empty();
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (ClosedByInterruptException | FileLockInterruptionException e) {
                throw e;
            } catch (IOException e) {
                // A file system without locks (some network mounts): one process per folder, as before sharing existed.
                warnNoLocks(e);
                return Optional.of(new Claim(file, ch, false));
            }
            if (lock == null) { // held by another process
                ch.close();
                HELD_HERE.remove(file);
                return Optional.empty();
            }
            return Optional.of(new Claim(file, ch, false));
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            HELD_HERE.remove(file);
            throw e;
        }
    }

    /**
     * Waits until this thread alone, of every process sharing the folder, may write a task's outputs (its models,
     * exports, pictures, the report), so that two processes finishing the same task one after the other never write
     * into the same file at once.
     *
     * @param name what is written, e.g. the task's file-name prefix
     * @return the claim, to be closed when the outputs are written
     * @throws IOException if the lock file cannot be opened or locked, or the wait is interrupted
     */
    Claim outputs(String name) throws IOException {
        Path file = lockFile("outputs-" + (name.isEmpty() ? "main" : name));
        OUTPUTS.lock(); // one thread of this JVM at a time writes outputs, so no two of its threads open one lock file
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                ch.lock();
            } catch (ClosedByInterruptException | FileLockInterruptionException e) {
                throw e;
            } catch (IOException e) {
                warnNoLocks(e); // the JVM-wide lock above still serialises this process's threads
            }
            return new Claim(null, ch, true);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            OUTPUTS.unlock();
            throw e;
        }
    }

    private Path lockFile(String name) {
        return dir.resolve(name + ".lock").toAbsolutePath().normalize();
    }

    /** Run lock files held by this JVM (a lock is the process's, not the thread's). */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock OUTPUTS = new ReentrantLock();
    private boolean warned;

    private void warnNoLocks(IOException e) {
        if (!warned) {
            warned = true;
            System.err.println("note: " + dir + " does not support file locks (" + e + "); do not run two processes into it at once: "
                    + "they would train the same runs twice");
        }
    }

    /** A held claim; closing it releases it (the lock file stays, empty of meaning). */
    static final class Claim implements AutoCloseable {
        private final Path run;
        private final FileChannel channel;
        private final boolean outputs;

        private Claim(Path run, FileChannel channel, boolean outputs) {
            this.run = run;
            this.channel = channel;
            this.outputs = outputs;
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close(); // releases the lock
            } finally {
                if (outputs) {
                    OUTPUTS.unlock();
                } else {
                    HELD_HERE.remove(run);
                }
            }
        }
    }

    private Path checkpoints(String run, String fingerprint) {
        return dir.resolve(run + "-" + fingerprint.substring(0, 12));
    }
}
