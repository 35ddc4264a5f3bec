package io.edgekd.train.model;

import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.ModelSpecException;
import io.edgekd.train.backend.TrainingBackend;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A trained DL4J network together with its {@link ModelSpec}: the unit that training produces, checkpoints
 * hold, evaluation reads and the ONNX exporter turns into a device model.
 *
 * <p>On disk it is DL4J's own model zip ({@code configuration.json}, {@code coefficients.bin}, optionally
 * {@code updaterState.bin}) with two more entries, {@value #SPEC_ENTRY} (the spec's metadata map) and
 * {@value #STATE_ENTRY} (free-form training state such as the epoch of a checkpoint), both as UTF-8 properties.
 * DL4J tools can still open the file; edgekd needs the extra entries. Files are written to a temporary file in
 * the same folder and moved into place.
 *
 * <pre>{@code
 * TrainedModel m = TrainedModel.load(Path.of("student.zip"));
 * INDArray logits = m.network().output(features);
 * m.spec().labels();
 * }</pre>
 *
 * <p>Thread safety: the wrapper is immutable; the network is not thread-safe.
 */
public final class TrainedModel {
    /** Zip entry holding the spec. */
    public static final String SPEC_ENTRY = "edgekd/spec.properties";
    /** Zip entry holding training state. */
    public static final String STATE_ENTRY = "edgekd/state.properties";

    private static final Pattern MISSING_CLASS = Pattern.compile("Could not resolve type id '([^']+)'");

    private final MultiLayerNetwork network;
    private final ModelSpec spec;
    private final Map<String, String> state;

    /**
     * @param network the network
     * @param spec    its contract
     * @param state   training state entries (may be empty)
     */
    public TrainedModel(MultiLayerNetwork network, ModelSpec spec, Map<String, String> state) {
        this.network = Objects.requireNonNull(network, "network");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.state = Collections.unmodifiableMap(new TreeMap<>(state));
        long out = io.edgekd.train.network.Dl4jNetworks.numClasses(network);
        if (out != spec.numClasses()) {
            throw new IllegalArgumentException("spec: expected " + out + " labels (the network's outputs), found "
                    + spec.numClasses() + " " + spec.labels());
        }
    }

    /** @return the network */
    public MultiLayerNetwork network() {
        return network;
    }

    /** @return the model's contract */
    public ModelSpec spec() {
        return spec;
    }

    /** @return training state entries, sorted, unmodifiable */
    public Map<String, String> state() {
        return state;
    }

    /**
     * @param newState state to store instead
     * @return the same network and spec with other state
     */
    public TrainedModel withState(Map<String, String> newState) {
        return new TrainedModel(network, spec, newState);
    }

    /**
     * @param newSpec spec to store instead
     * @return the same network and state with another spec
     */
    public TrainedModel withSpec(ModelSpec newSpec) {
        return new TrainedModel(network, newSpec, state);
    }

    /**
     * Writes the model atomically.
     *
     * @param file        destination
     * @param withUpdater also store the optimiser state (needed to resume training; checkpoints do, final models need not)
     * @throws IOException if the folder is missing or not writable; nothing is left behind
     */
    public void save(Path file, boolean withUpdater) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "cannot write " + abs + ": expected an existing folder, found none");
        }
        if (!Files.isWritable(dir)) {
            throw new AccessDeniedException(dir.toString(), null, "cannot write " + abs + ": the folder is not writable");
        }
        Path dl4j = Files.createTempFile(dir, "." + abs.getFileName(), ".dl4j.tmp");
        try {
            ModelSerializer.writeModel(network, dl4j.toFile(), withUpdater);
            AtomicFiles.write(abs, tmp -> copyWithSpec(dl4j, tmp));
        } finally {
            Files.deleteIfExists(dl4j);
        }
    }

    private void copyWithSpec(Path dl4j, Path tmp) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            copyEntries(dl4j, out, name -> name.startsWith("edgekd/") ? SKIP : null);
            writeProperties(out, SPEC_ENTRY, spec.toMetadata());
            writeProperties(out, STATE_ENTRY, state);
        }
    }

    /** Returned by a {@link #copyEntries} replacement to leave an entry out. */
    private static final byte[] SKIP = new byte[0];

    /**
     * Copies a zip's entries into {@code out}, in order.
     *
     * @param replace for an entry's name: null to copy it as it is, {@link #SKIP} to leave it out, or its new content
     */
    private static void copyEntries(Path zip, ZipOutputStream out, java.util.function.Function<String, byte[]> replace) throws IOException {
        try (ZipFile in = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] content = replace.apply(e.getName());
                if (content == SKIP) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                if (content != null) {
                    out.write(content);
                } else {
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    /**
     * @param file a model written by {@link #save}
     * @return the model, optimiser state included when the file has it
     * @throws ModelFileException if the file is missing, not a DL4J model zip, lacks the spec, or names a class
     *                            (such as a loss function) that has moved or no longer exists
     */
    public static TrainedModel load(Path file) throws ModelFileException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file + ": expected a model file (.zip) written by edgekd-train, found "
                    + (Files.exists(file) ? "a folder" : "nothing"));
        }
        Map<String, String> specMap;
        Map<String, String> state;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("configuration.json") == null || zip.getEntry("coefficients.bin") == null) {
                throw new ModelFileException(file + ": expected a DL4J model zip (configuration.json, coefficients.bin), found entries "
                        + Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList());
            }
            specMap = readProperties(zip, SPEC_ENTRY);
            state = readProperties(zip, STATE_ENTRY);
        } catch (ZipException e) {
            throw new ModelFileException(file + ": expected a zip file, found something else or a truncated zip (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFileException(file + ": cannot read: " + e, e);
        }
        if (specMap == null) {
            throw new ModelFileException(file + ": expected edgekd's " + SPEC_ENTRY + " in the model zip, found none (a plain DL4J model? "
                    + "edgekd needs the labels and input spec)");
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.fromMetadata(specMap);
        } catch (ModelSpecException e) {
            throw new ModelFileException(file + ": malformed spec in " + SPEC_ENTRY + ": " + e.getMessage(), e);
        }
        TrainingBackend.init();
        MultiLayerNetwork net;
        try {
            net = restore(file);
        } catch (IOException | RuntimeException e) {
            String missing = missingClass(e);
            if (missing != null) {
                throw new ModelFileException(file + ": the model names class " + missing + ", which this version of edgekd does not have "
                        + "(it was moved or renamed since the file was saved); load it with the edgekd version that wrote it", e);
            }
            throw new ModelFileException(file + ": cannot restore the DL4J network: " + e.getMessage(), e);
        }
        try {
            return new TrainedModel(net, spec, state == null ? Map.of() : state);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Classes edgekd stores by name inside model files, where they lived before they moved: old name → new name.
     * A file that names an old one is read with the new one (the class's JSON form did not change).
     */
    static final Map<String, String> MOVED_CLASSES = Map.of(
            "io.edgekd.train.distill.KnowledgeDistillationLoss", "io.edgekd.train.loss.KnowledgeDistillationLoss",
            "io.edgekd.train.distill.SoftmaxCrossEntropyLoss", "io.edgekd.train.loss.SoftmaxCrossEntropyLoss");

    private static MultiLayerNetwork restore(Path file) throws IOException {
        String json;
        try (ZipFile zip = new ZipFile(file.toFile()); InputStream in = zip.getInputStream(zip.getEntry("configuration.json"))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String mapped = json;
        for (Map.Entry<String, String> e : MOVED_CLASSES.entrySet()) {
            mapped = mapped.replace("\"" + e.getKey() + "\"", "\"" + e.getValue() + "\"");
        }
        if (mapped.equals(json)) {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        }
        // Rewrite the configuration into a private copy; the file itself is never touched.
        Path copy = Files.createTempFile("edgekd-model", ".zip");
        try {
            byte[] configuration = mapped.getBytes(StandardCharsets.UTF_8);
            try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(copy)))) {
                copyEntries(file, out, name -> name.equals("configuration.json") ? configuration : null);
            }
            return ModelSerializer.restoreMultiLayerNetwork(copy.toFile(), true);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static String missingClass(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null) {
                Matcher matcher = MISSING_CLASS.matcher(m);
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
        }
        return null;
    }

    private static void writeProperties(ZipOutputStream out, String entry, Map<String, String> values) throws IOException {
        Properties p = new Properties();
        p.putAll(values);
        StringWriter sw = new StringWriter();
        p.store(sw, null);
        // Drop the timestamp comment Properties writes, so equal content gives equal bytes.
        String text = sw.toString().lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
        out.putNextEntry(new ZipEntry(entry));
        OutputStream o = out;
        o.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    private static Map<String, String> readProperties(ZipFile zip, String entry) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = zip.getInputStream(e); Reader r = new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
            p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }
}
