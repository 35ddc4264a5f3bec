package io.edgekd.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.ModelSpecException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An image classifier on ONNX Runtime for a device: opens an ONNX model, reads its contract (labels, input
 * size, pixel order, normalisation, whether preprocessing is fused into the graph) from the file's metadata,
 * creates its tensors once, and classifies camera frames without allocating anything of its own per frame.
 *
 * <pre>{@code
 * try (EdgeClassifier classifier = EdgeClassifier.open(Path.of("student.onnx"), EdgeOptions.defaults())) {
 *     Classification top = classifier.newResult(3);                       // reusable
 *     classifier.classify(frame, width, height, PixelFormat.BGR24, top);  // allocates nothing of ours
 *     System.out.println(top.label(0) + " " + top.probability(0));
 * }
 * }</pre>
 *
 * <p>A model exported by edgekd carries its {@link ModelSpec} in ONNX {@code metadata_props}; any other ONNX
 * image classifier (input {@code [N, C, H, W]} float, output {@code [N, classes]}) opens with
 * {@link #open(Path, ModelSpec, EdgeOptions)} and a spec written by hand.
 *
 * <p>Execution providers are tried in the order {@link EdgeOptions#providers()} gives, falling back to the
 * next when a provider's library is missing or its session cannot be created; {@link #activeProvider()}
 * says which one won, and it is logged once at INFO. Frames of any size are resized bilinearly; see
 * {@link io.edgekd.core.image.FramePreprocessor}.
 *
 * <p>A graph with a fixed batch size {@code N > 1} ({@link #fixedBatchSize()}) opens too: {@code classify}
 * puts the frame into slot 0 of its batch and runs all {@code N} slots, so each frame costs {@code N} images of
 * arithmetic; {@link #newRunner()} with put/run/result uses every slot. A {@link Classification} must be made for
 * this model's labels ({@link #newResult(int)}); one made for other labels is refused, even with as many classes.
 *
 * <p>Thread safety: the classifier's own {@code classify} methods use one built-in runner and are for one
 * thread at a time. For more threads, give each its own {@link #newRunner()}; runners share the session,
 * which ONNX Runtime allows to run concurrently. {@link #close()} waits for runs in progress, then frees the
 * session and every runner; afterwards every method throws {@link IllegalStateException}.
 */
public final class EdgeClassifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EdgeClassifier.class.getName());

    private final ModelSpec spec;
    private final String source;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions sessionOptions;
    private final ExecutionProvider activeProvider;
    private final List<String> providerNotes;
    private final int fixedBatch;
    private final Set<EdgeRunner> runners = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final EdgeRunner single;
    /** Set once, by the one {@link #close()} that wins the transition; runs check it on entry. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Released when that close has freed everything, so that every caller of close() returns after it. */
    private final CountDownLatch released = new CountDownLatch(1);

    private EdgeClassifier(ModelSpec spec, String source, OrtEnvironment env, OrtSession session,
                           OrtSession.SessionOptions sessionOptions, ExecutionProvider activeProvider, List<String> providerNotes,
                           int fixedBatch, int warmupRuns) throws OrtException {
        this.spec = spec;
        this.source = source;
        this.env = env;
        this.session = session;
        this.sessionOptions = sessionOptions;
        this.activeProvider = activeProvider;
        this.providerNotes = List.copyOf(providerNotes);
        this.fixedBatch = fixedBatch;
        this.single = newRunnerInternal(fixedBatch > 0 ? fixedBatch : 1);
        try {
            for (int i = 0; i < warmupRuns; i++) {
                single.run();
            }
        } catch (RuntimeException e) {
            // open() closes the session; the runner's tensors are this constructor's to free.
            single.close();
            throw e;
        }
    }

    /**
     * Opens an edgekd model: the spec comes from the file's metadata.
     *
     * @param model   the {@code .onnx} file
     * @param options providers, threads, warm-up
     * @return the classifier; close it
     * @throws EdgeModelException if the file is missing, not ONNX, carries no or a malformed edgekd spec, or its
     *                            graph does not match the spec
     */
    public static EdgeClassifier open(Path model, EdgeOptions options) throws EdgeModelException {
        return open(model, null, options);
    }

    /**
     * Opens any ONNX image classifier with a spec supplied by the caller (it replaces any spec in the file).
     *
     * @param model   the {@code .onnx} file
     * @param spec    the model's contract, or null to read it from the file's metadata
     * @param options providers, threads, warm-up
     * @return the classifier; close it
     * @throws EdgeModelException as for {@link #open(Path, EdgeOptions)}
     */
    public static EdgeClassifier open(Path model, ModelSpec spec, EdgeOptions options) throws EdgeModelException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        if (!Files.exists(model)) {
            throw new EdgeModelException(model + ": expected an ONNX model file, found nothing at that path");
        }
        if (!Files.isRegularFile(model)) {
            throw new EdgeModelException(model + ": expected an ONNX model file, found a folder or special file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(model);
        } catch (IOException e) {
            throw new EdgeModelException(model + ": cannot read: " + e, e);
        }
        return open(bytes, spec, options, model.toString());
    }

    /**
     * Opens a model held in memory (for example a resource inside an application jar).
     *
     * @param model   the ONNX bytes
     * @param spec    the model's contract, or null to read it from the model's metadata
     * @param options providers, threads, warm-up
     * @return the classifier; close it
     * @throws EdgeModelException as for {@link #open(Path, EdgeOptions)}
     */
    public static EdgeClassifier open(byte[] model, ModelSpec spec, EdgeOptions options) throws EdgeModelException {
        return open(model, spec, options, "<model bytes>");
    }

    private static EdgeClassifier open(byte[] bytes, ModelSpec explicitSpec, EdgeOptions options, String source)
            throws EdgeModelException {
        if (bytes.length == 0) {
            throw new EdgeModelException(source + ": expected an ONNX model, found an empty file");
        }
        OrtEnvironment env = OrtNatives.environment(options);
        Opened opened = createSession(env, bytes, options, source, ProviderInstaller.ORT);
        OrtSession session = opened.session();
        try {
            ModelSpec spec = explicitSpec != null ? explicitSpec : readSpec(session, source);
            int fixedBatch = ModelContract.check(session, spec, source);
            EdgeClassifier classifier = new EdgeClassifier(spec, source, env, session, opened.options(), opened.provider(),
                    opened.notes(), fixedBatch, options.warmupRuns());
            LOG.log(System.Logger.Level.INFO, "edgekd: " + source + " (" + spec.labels().size() + " classes, " + spec.precision().key() + ", "
                    + spec.inputForm().key() + " " + spec.channels() + "x" + spec.height() + "x" + spec.width() + ") runs on "
                    + opened.provider() + (opened.notes().isEmpty() ? "" : "; " + String.join("; ", opened.notes())));
            return classifier;
        } catch (EdgeModelException e) {
            closeQuietly(session, opened.options());
            throw e;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, opened.options());
            throw new EdgeModelException(source + ": the model opened but could not run on a blank frame: " + e.getMessage(), e);
        }
    }

    /** What {@link #createSession} produced. */
    record Opened(OrtSession session, OrtSession.SessionOptions options, ExecutionProvider provider, List<String> notes) {
    }

    /**
     * Creates the session with the first provider in order of preference that can be added and whose session
     * can be created; records why each earlier one was passed over.
     */
    static Opened createSession(OrtEnvironment env, byte[] bytes, EdgeOptions options, String source, ProviderInstaller installer)
            throws EdgeModelException {
        List<ExecutionProvider> candidates = new ArrayList<>(options.providers());
        if (options.cpuFallback() && !candidates.contains(ExecutionProvider.CPU)) {
            candidates.add(ExecutionProvider.CPU);
        }
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            ExecutionProvider p = candidates.get(i);
            OrtSession.SessionOptions so = null;
            List<AutoCloseable> held = new ArrayList<>();
            try {
                so = baseOptions(options);
                try {
                    held.add(installer.install(so, p, settings(options, p)));
                    // TensorRT leaves the operators it cannot take to the next provider: CUDA, when it is preferred too.
                    if (p == ExecutionProvider.TENSORRT && candidates.subList(i + 1, candidates.size()).contains(ExecutionProvider.CUDA)) {
                        try {
                            held.add(installer.install(so, ExecutionProvider.CUDA, settings(options, ExecutionProvider.CUDA)));
                        } catch (OrtException e) {
                            notes.add("CUDA (behind TensorRT) unavailable: " + brief(e));
                        }
                    }
                } catch (OrtException | RuntimeException e) {
                    notes.add(p + " unavailable: " + brief(e));
                    so.close();
                    continue;
                }
                try {
                    OrtSession session = env.createSession(bytes, so);
                    return new Opened(session, so, p, notes);
                } catch (OrtException e) {
                    so.close();
                    if (p == ExecutionProvider.CPU) {
                        throw new EdgeModelException(source + ": expected a valid ONNX model, but ONNX Runtime cannot load it: "
                                + e.getMessage(), e);
                    }
                    notes.add(p + " session failed: " + brief(e));
                }
            } catch (OrtException e) {
                if (so != null) {
                    so.close();
                }
                throw new EdgeModelException(source + ": cannot configure ONNX Runtime: " + e.getMessage(), e);
            } finally {
                for (AutoCloseable c : held) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.DEBUG, "closing provider options: " + e);
                    }
                }
            }
        }
        throw new EdgeModelException(source + ": expected one of the execution providers " + candidates
                + " to be usable, found none: " + String.join("; ", notes)
                + (options.cpuFallback() ? "" : " (CPU fallback is off)"));
    }

    private static Map<String, String> settings(EdgeOptions o, ExecutionProvider p) {
        return switch (p) {
            case TENSORRT -> o.tensorRtProviderOptions();
            case CUDA -> o.cudaProviderOptions();
            case CPU -> Map.of();
        };
    }

    private static String brief(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int i = m.indexOf("message: ");
        return i >= 0 ? m.substring(i + "message: ".length()).trim() : m;
    }

    static OrtSession.SessionOptions baseOptions(EdgeOptions o) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(o.intraOpThreads());
            so.setInterOpNumThreads(o.interOpThreads());
            so.addConfigEntry("session.intra_op.allow_spinning", o.spinning() ? "1" : "0");
            so.addConfigEntry("session.inter_op.allow_spinning", o.spinning() ? "1" : "0");
            so.setOptimizationLevel(switch (o.optimization()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            if (o.optimizedModelPath() != null) {
                so.setOptimizedModelFilePath(o.optimizedModelPath().toString());
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static ModelSpec readSpec(OrtSession session, String source) throws EdgeModelException {
        Map<String, String> meta;
        try {
            meta = session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new EdgeModelException(source + ": cannot read the model's metadata: " + e.getMessage(), e);
        }
        if (!ModelSpec.isPresent(meta)) {
            throw new EdgeModelException(source + ": expected edgekd metadata (key " + ModelSpec.KEY_VERSION
                    + ") describing labels and input, found " + (meta.isEmpty() ? "no metadata" : "only keys " + meta.keySet())
                    + "; open a plain ONNX model with EdgeClassifier.open(path, spec, options)");
        }
        try {
            return ModelSpec.fromMetadata(meta);
        } catch (ModelSpecException e) {
            throw new EdgeModelException(source + ": malformed edgekd metadata: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(OrtSession session, OrtSession.SessionOptions options) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a session that failed to open: " + e);
        }
        options.close();
    }

    /** @return the model's contract */
    public ModelSpec spec() {
        checkOpen();
        return spec;
    }

    /** @return class labels in output order */
    public List<String> labels() {
        checkOpen();
        return spec.labels();
    }

    /** @return the execution provider the session runs on */
    public ExecutionProvider activeProvider() {
        checkOpen();
        return activeProvider;
    }

    /** @return why preferred providers were passed over (empty when the first choice won) */
    public List<String> providerNotes() {
        checkOpen();
        return providerNotes;
    }

    /** @return the fixed batch size the graph requires, or -1 when it takes any batch */
    public int fixedBatchSize() {
        return fixedBatch;
    }

    /**
     * @param k how many top classes to keep, 1 to the number of labels
     * @return a reusable result for this model
     */
    public Classification newResult(int k) {
        checkOpen();
        return new Classification(k, spec.labels());
    }

    /**
     * @return a batch-1 runner with its own tensors, for another thread (or the graph's fixed batch size)
     * @throws EdgeModelException if its tensors cannot be created
     */
    public EdgeRunner newRunner() throws EdgeModelException {
        return newRunner(fixedBatch > 0 ? fixedBatch : 1);
    }

    /**
     * @param batchSize images per run
     * @return a runner with its own tensors for {@code batchSize} images; close it when done
     * @throws EdgeModelException if its tensors cannot be created
     * @throws IllegalArgumentException if the graph has a fixed batch size and this is another
     */
    public EdgeRunner newRunner(int batchSize) throws EdgeModelException {
        checkOpen();
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected at least 1, found " + batchSize);
        }
        if (fixedBatch > 0 && batchSize != fixedBatch) {
            throw new IllegalArgumentException("batchSize: this model's graph takes batches of exactly " + fixedBatch + ", found " + batchSize);
        }
        try {
            return newRunnerInternal(batchSize);
        } catch (OrtException e) {
            throw new EdgeModelException(source + ": cannot create tensors for a batch of " + batchSize + ": " + e.getMessage(), e);
        }
    }

    private EdgeRunner newRunnerInternal(int batchSize) throws OrtException {
        EdgeRunner r = new EdgeRunner(this, env, session, spec, batchSize);
        synchronized (runners) {
            if (closed.get()) {
                r.close();
                throw new IllegalStateException("classifier is closed");
            }
            runners.add(r);
        }
        return r;
    }

    /**
     * Classifies one tightly packed frame of any size.
     *
     * @param frame  packed pixels
     * @param width  frame width
     * @param height frame height
     * @param format pixel layout
     * @param out    a result from {@link #newResult(int)}, filled in place
     */
    public void classify(byte[] frame, int width, int height, PixelFormat format, Classification out) {
        single.classify(frame, width, height, format, out);
    }

    /**
     * Classifies one frame with an offset and a row stride (a region of a larger buffer, or padded rows).
     *
     * @param frame     packed pixels
     * @param offset    index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param out       filled in place
     */
    public void classify(byte[] frame, int offset, int width, int height, int rowStride, PixelFormat format, Classification out) {
        single.classify(frame, offset, width, height, rowStride, format, out);
    }

    /**
     * Classifies one frame held in a buffer (heap or direct), read by absolute index.
     *
     * @param frame     packed pixels
     * @param offset    absolute index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param out       filled in place
     */
    public void classify(ByteBuffer frame, int offset, int width, int height, int rowStride, PixelFormat format, Classification out) {
        single.classify(frame, offset, width, height, rowStride, format, out);
    }

    /**
     * Classifies an already preprocessed float {@code [C, H, W]} image.
     *
     * @param image values from absolute index {@code index}
     * @param index first absolute index
     * @param out   filled in place
     */
    public void classify(FloatBuffer image, int index, Classification out) {
        single.classify(image, index, out);
    }

    /**
     * The probability of every class for one frame, through the same preprocessing and run as
     * {@code classify}: what a check of an exported model compares with the network it came from.
     *
     * @param frame     packed pixels
     * @param offset    index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param dst       destination, room for one value per label
     * @param dstOffset index of the first value written
     */
    public void probabilities(byte[] frame, int offset, int width, int height, int rowStride, PixelFormat format,
                              float[] dst, int dstOffset) {
        single.checkRoom(dst, dstOffset);
        single.put(0, frame, offset, width, height, rowStride, format);
        single.run();
        single.probabilities(0, dst, dstOffset);
    }

    /** @return the built-in runner behind {@code classify}: its input and output views, for this thread */
    public EdgeRunner runner() {
        checkOpen();
        return single;
    }

    /** @return whether {@link #close()} has been called */
    public boolean isClosed() {
        return closed.get();
    }

    void enter() {
        // Increment first, then look: close() sets the flag first, then waits for the count to drain.
        inFlight.incrementAndGet();
        if (closed.get()) {
            inFlight.decrementAndGet();
            throw new IllegalStateException("classifier is closed");
        }
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    void forget(EdgeRunner runner) {
        synchronized (runners) {
            runners.remove(runner);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("classifier is closed");
        }
    }

    /**
     * Waits for runs in progress on any thread, then frees every runner, the session and its options.
     * Idempotent and thread-safe: when several threads call it at once, one frees everything and every call
     * returns only after that is done.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitReleased();
            return;
        }
        try {
            while (inFlight.get() > 0) {
                Thread.onSpinWait();
            }
            List<EdgeRunner> open;
            synchronized (runners) {
                open = new ArrayList<>(runners);
            }
            for (EdgeRunner r : open) {
                r.close();
            }
            try {
                session.close();
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the ONNX Runtime session of " + source + ": " + e.getMessage());
            } finally {
                sessionOptions.close();
            }
        } finally {
            released.countDown();
        }
    }

    private void awaitReleased() {
        boolean interrupted = false;
        while (true) {
            try {
                released.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "EdgeClassifier[" + source + ", " + spec + ", " + activeProvider + (closed.get() ? ", closed" : "") + "]";
    }
}
