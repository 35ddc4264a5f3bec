package io.edgekd.core.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The contract between a trained image classifier and everything that runs it: the input tensor (name,
 * shape, form, pixel order, normalisation, resize), the output (name, kind), the class labels, the model's
 * role and free-form provenance (seed, training configuration, data fingerprint, metrics).
 *
 * <p>A spec travels inside the exported ONNX file as {@code metadata_props}; see {@link #toMetadata()} for
 * the key scheme and {@link #fromMetadata(Map)} for reading it back. Encoding then decoding gives an equal
 * spec, and metadata keys this version does not know are kept ({@link #extraMetadata()}) so that a newer
 * writer's keys survive an older reader.
 *
 * <p>The precision keys ({@value #KEY_PRECISION} and the {@code edgekd.calibration.*} keys) are optional and did
 * not raise {@link #SPEC_VERSION}: a file without them is float32 (every file written before they existed is), and
 * a reader that predates them keeps them as extra metadata and runs the model as before, which is right because
 * a float16 or int8 model takes and returns the same tensors as its float32 twin.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.builder()
 *         .labels(List.of("cat", "dog"))
 *         .input(3, 64, 64)
 *         .pixelOrder(PixelOrder.RGB)
 *         .normalization(Normalization.uniform(3, 0.5f, 0.25f))
 *         .role(ModelRole.STUDENT)
 *         .provenance("seed", "42")
 *         .build();
 * Map<String, String> props = spec.toMetadata();   // into the ONNX file
 * ModelSpec back = ModelSpec.fromMetadata(props);  // on the device
 * }</pre>
 *
 * <p>Thread safety: immutable.
 */
public final class ModelSpec {
    /** The version of the metadata key scheme this class writes. Readers accept versions up to this one. */
    public static final int SPEC_VERSION = 1;

    /** Prefix of every key edgekd writes. */
    public static final String PREFIX = "edgekd.";
    /** Key: the key-scheme version, an integer. Required. */
    public static final String KEY_VERSION = "edgekd.spec.version";
    /** Key: {@code teacher}, {@code student} or {@code other}. Optional, default {@code other}. */
    public static final String KEY_ROLE = "edgekd.role";
    /** Key: the class labels as a JSON array of strings, in output order. Required. */
    public static final String KEY_LABELS = "edgekd.labels";
    /** Key: the name of the graph input. Required. */
    public static final String KEY_INPUT_NAME = "edgekd.input.name";
    /** Key: {@code float_nchw} or {@code uint8_nhwc}. Required. */
    public static final String KEY_INPUT_FORM = "edgekd.input.form";
    /**
     * Key: the logical input shape {@code N,C,H,W} in that order whatever the form; {@code N} is {@code -1}
     * for a dynamic batch dimension. Required.
     */
    public static final String KEY_INPUT_SHAPE = "edgekd.input.shape";
    /** Key: {@code gray}, {@code rgb} or {@code bgr}. Required. */
    public static final String KEY_PIXEL_ORDER = "edgekd.input.pixel_order";
    /** Key: the scale applied to 8-bit values, a float. Required. */
    public static final String KEY_SCALE = "edgekd.input.scale";
    /** Key: comma-separated per-channel means. Required. */
    public static final String KEY_MEAN = "edgekd.input.mean";
    /** Key: comma-separated per-channel standard deviations. Required. */
    public static final String KEY_STD = "edgekd.input.std";
    /** Key: {@code stretch} or {@code center_crop}. Optional, default {@code stretch}. */
    public static final String KEY_RESIZE = "edgekd.input.resize";
    /** Key: the name of the primary output. Required. */
    public static final String KEY_OUTPUT_NAME = "edgekd.output.name";
    /** Key: {@code probabilities} or {@code logits}. Required. */
    public static final String KEY_OUTPUT_KIND = "edgekd.output.kind";
    /** Key: the name of a second output holding logits, when the graph has one. Optional. */
    public static final String KEY_LOGITS_NAME = "edgekd.output.logits_name";
    /** Key: {@code float32}, {@code float16} or {@code int8}. Optional, default {@code float32}. */
    public static final String KEY_PRECISION = "edgekd.precision";
    /** Key: {@code minmax}, {@code percentile} or {@code entropy}. Required for int8, absent otherwise. */
    public static final String KEY_CALIBRATION_METHOD = "edgekd.calibration.method";
    /** Key: the number of calibration images, an integer. Required for int8, absent otherwise. */
    public static final String KEY_CALIBRATION_IMAGES = "edgekd.calibration.images";
    /** Key: the fingerprint of the calibration images. Required for int8, absent otherwise. */
    public static final String KEY_CALIBRATION_DATA = "edgekd.calibration.data_fingerprint";
    /**
     * Key: {@code symmetric} or {@code unsigned}, how an int8 model encodes its activations. Optional for int8 (absent:
     * symmetric, as every int8 file written before the key existed), absent otherwise.
     */
    public static final String KEY_CALIBRATION_ACTIVATIONS = "edgekd.calibration.activations";
    /** Prefix of provenance keys: {@code edgekd.provenance.<name>} = free-form value. */
    public static final String PROVENANCE_PREFIX = "edgekd.provenance.";

    private final String inputName;
    private final InputForm inputForm;
    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final PixelOrder pixelOrder;
    private final Normalization normalization;
    private final ResizeMode resizeMode;
    private final String outputName;
    private final OutputKind outputKind;
    private final String logitsName;
    private final List<String> labels;
    private final ModelRole role;
    private final Precision precision;
    private final Calibration calibration;
    private final SortedMap<String, String> provenance;
    private final SortedMap<String, String> extraMetadata;

    private ModelSpec(Builder b) {
        this.inputName = b.inputName;
        this.inputForm = b.inputForm;
        this.batch = b.batch;
        this.channels = b.channels;
        this.height = b.height;
        this.width = b.width;
        this.pixelOrder = b.pixelOrder;
        this.normalization = b.normalization;
        this.resizeMode = b.resizeMode;
        this.outputName = b.outputName;
        this.outputKind = b.outputKind;
        this.logitsName = b.logitsName;
        this.labels = List.copyOf(b.labels);
        this.role = b.role;
        this.precision = b.precision;
        this.calibration = b.calibration;
        this.provenance = Collections.unmodifiableSortedMap(new TreeMap<>(b.provenance));
        this.extraMetadata = Collections.unmodifiableSortedMap(new TreeMap<>(b.extraMetadata));
    }

    /** @return a builder with the defaults documented on each of its setters */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this spec's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.inputName = inputName;
        b.inputForm = inputForm;
        b.batch = batch;
        b.channels = channels;
        b.height = height;
        b.width = width;
        b.pixelOrder = pixelOrder;
        b.normalization = normalization;
        b.resizeMode = resizeMode;
        b.outputName = outputName;
        b.outputKind = outputKind;
        b.logitsName = logitsName;
        b.labels = new ArrayList<>(labels);
        b.role = role;
        b.precision = precision;
        b.calibration = calibration;
        b.provenance = new TreeMap<>(provenance);
        b.extraMetadata = new TreeMap<>(extraMetadata);
        return b;
    }

    /** @return the name of the graph input */
    public String inputName() {
        return inputName;
    }

    /** @return the form of the input tensor */
    public InputForm inputForm() {
        return inputForm;
    }

    /** @return the fixed batch size, or {@code -1} when the batch dimension is dynamic */
    public int batch() {
        return batch;
    }

    /** @return input channels (1 or 3) */
    public int channels() {
        return channels;
    }

    /** @return input height in pixels */
    public int height() {
        return height;
    }

    /** @return input width in pixels */
    public int width() {
        return width;
    }

    /** @return {@code channels * height * width}: the number of values in one input image */
    public int imageSize() {
        return channels * height * width;
    }

    /**
     * @param n batch size to use where the batch dimension is dynamic
     * @return the shape of the input tensor in its form's layout: {@code [N,C,H,W]} or {@code [N,H,W,C]}
     */
    public long[] inputTensorShape(int n) {
        long nn = batch > 0 ? batch : n;
        return inputForm == InputForm.FLOAT_NCHW
                ? new long[] {nn, channels, height, width}
                : new long[] {nn, height, width, channels};
    }

    /** @return the channel order of the input */
    public PixelOrder pixelOrder() {
        return pixelOrder;
    }

    /** @return how 8-bit values are scaled and normalised */
    public Normalization normalization() {
        return normalization;
    }

    /** @return how frames of another size are brought to the input size */
    public ResizeMode resizeMode() {
        return resizeMode;
    }

    /** @return the name of the primary output */
    public String outputName() {
        return outputName;
    }

    /** @return what the primary output holds */
    public OutputKind outputKind() {
        return outputKind;
    }

    /** @return the name of a second output holding logits, or {@code null} when the graph has none */
    public String logitsName() {
        return logitsName;
    }

    /** @return the class labels in output order, unmodifiable */
    public List<String> labels() {
        return labels;
    }

    /** @return the number of classes */
    public int numClasses() {
        return labels.size();
    }

    /** @return the model's role */
    public ModelRole role() {
        return role;
    }

    /** @return the number format the graph computes in ({@link Precision#FLOAT32} for files that do not say) */
    public Precision precision() {
        return precision;
    }

    /** @return how an int8 model's activation scales were chosen, or {@code null} for a float model */
    public Calibration calibration() {
        return calibration;
    }

    /** @return provenance entries (seed, configuration, data fingerprint, metrics ...), sorted, unmodifiable */
    public SortedMap<String, String> provenance() {
        return provenance;
    }

    /**
     * @return metadata entries that are not part of this key scheme (a newer writer's keys, or another
     *         tool's), kept so that they survive a round trip; sorted, unmodifiable
     */
    public SortedMap<String, String> extraMetadata() {
        return extraMetadata;
    }

    /**
     * Encodes the spec as ONNX {@code metadata_props}. Keys (version {@value #SPEC_VERSION}):
     * <table>
     *   <caption>Metadata keys</caption>
     *   <tr><th>key</th><th>value</th></tr>
     *   <tr><td>{@value #KEY_VERSION}</td><td>{@value #SPEC_VERSION}</td></tr>
     *   <tr><td>{@value #KEY_ROLE}</td><td>teacher | student | other</td></tr>
     *   <tr><td>{@value #KEY_LABELS}</td><td>JSON array of strings, in output order</td></tr>
     *   <tr><td>{@value #KEY_INPUT_NAME}</td><td>graph input name</td></tr>
     *   <tr><td>{@value #KEY_INPUT_FORM}</td><td>float_nchw | uint8_nhwc</td></tr>
     *   <tr><td>{@value #KEY_INPUT_SHAPE}</td><td>N,C,H,W (N = -1: dynamic batch)</td></tr>
     *   <tr><td>{@value #KEY_PIXEL_ORDER}</td><td>gray | rgb | bgr</td></tr>
     *   <tr><td>{@value #KEY_SCALE}</td><td>float, e.g. 0.003921569 (1/255)</td></tr>
     *   <tr><td>{@value #KEY_MEAN}, {@value #KEY_STD}</td><td>comma-separated floats, one per channel</td></tr>
     *   <tr><td>{@value #KEY_RESIZE}</td><td>stretch | center_crop</td></tr>
     *   <tr><td>{@value #KEY_OUTPUT_NAME}</td><td>graph output name</td></tr>
     *   <tr><td>{@value #KEY_OUTPUT_KIND}</td><td>probabilities | logits</td></tr>
     *   <tr><td>{@value #KEY_LOGITS_NAME}</td><td>second output with logits (only when present)</td></tr>
     *   <tr><td>{@value #KEY_PRECISION}</td><td>float16 | int8 (absent: float32)</td></tr>
     *   <tr><td>{@value #KEY_CALIBRATION_METHOD}</td><td>minmax | percentile | entropy (int8 only)</td></tr>
     *   <tr><td>{@value #KEY_CALIBRATION_IMAGES}</td><td>positive integer (int8 only)</td></tr>
     *   <tr><td>{@value #KEY_CALIBRATION_DATA}</td><td>fingerprint of the calibration images (int8 only)</td></tr>
     *   <tr><td>{@value #KEY_CALIBRATION_ACTIVATIONS}</td><td>unsigned (int8 only; absent: symmetric)</td></tr>
     *   <tr><td>{@value #PROVENANCE_PREFIX}&lt;name&gt;</td><td>free-form provenance</td></tr>
     * </table>
     * Floats are written with {@link Float#toString(float)}, which reads back to the same float.
     *
     * @return a new, modifiable map in a stable order; extra metadata included
     */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_VERSION, Integer.toString(SPEC_VERSION));
        m.put(KEY_ROLE, role.key());
        m.put(KEY_LABELS, JsonStrings.write(labels));
        m.put(KEY_INPUT_NAME, inputName);
        m.put(KEY_INPUT_FORM, inputForm.key());
        m.put(KEY_INPUT_SHAPE, batch + "," + channels + "," + height + "," + width);
        m.put(KEY_PIXEL_ORDER, pixelOrder.key());
        m.put(KEY_SCALE, Float.toString(normalization.scale()));
        m.put(KEY_MEAN, floats(normalization.means()));
        m.put(KEY_STD, floats(normalization.stds()));
        m.put(KEY_RESIZE, resizeMode.key());
        m.put(KEY_OUTPUT_NAME, outputName);
        m.put(KEY_OUTPUT_KIND, outputKind.key());
        if (logitsName != null) {
            m.put(KEY_LOGITS_NAME, logitsName);
        }
        // Float32 writes no key, so that float32 files stay byte for byte what they were before precision existed.
        if (precision != Precision.FLOAT32) {
            m.put(KEY_PRECISION, precision.key());
        }
        if (calibration != null) {
            m.put(KEY_CALIBRATION_METHOD, calibration.method().key());
            m.put(KEY_CALIBRATION_IMAGES, Integer.toString(calibration.images()));
            m.put(KEY_CALIBRATION_DATA, calibration.dataFingerprint());
            // Symmetric writes no key, so that the int8 files written before the key existed read back equal.
            if (calibration.activations() != Calibration.Activations.SYMMETRIC) {
                m.put(KEY_CALIBRATION_ACTIVATIONS, calibration.activations().key());
            }
        }
        provenance.forEach((k, v) -> m.put(PROVENANCE_PREFIX + k, v));
        extraMetadata.forEach(m::putIfAbsent);
        return m;
    }

    /**
     * Decodes a spec from ONNX {@code metadata_props}.
     *
     * @param metadata the properties; keys outside the scheme are kept as {@link #extraMetadata()}
     * @return the spec
     * @throws ModelSpecException if a required key is missing, a value is malformed, or the values disagree
     *                            (for example 3 means for a gray model); the message names the key and the
     *                            value found
     */
    public static ModelSpec fromMetadata(Map<String, String> metadata) throws ModelSpecException {
        Objects.requireNonNull(metadata, "metadata");
        String versionText = required(metadata, KEY_VERSION);
        int version;
        try {
            version = Integer.parseInt(versionText.trim());
        } catch (NumberFormatException e) {
            throw new ModelSpecException(KEY_VERSION, "expected an integer, found '" + versionText + "'");
        }
        if (version < 1 || version > SPEC_VERSION) {
            throw new ModelSpecException(KEY_VERSION, "expected a version from 1 to " + SPEC_VERSION
                    + " (this edgekd reads up to " + SPEC_VERSION + "), found " + version);
        }
        Builder b = builder();
        String labelsText = required(metadata, KEY_LABELS);
        try {
            b.labels(JsonStrings.read(labelsText));
        } catch (IllegalArgumentException e) {
            throw new ModelSpecException(KEY_LABELS, "expected a JSON array of strings, found '" + abbreviate(labelsText)
                    + "' (" + e.getMessage() + ")");
        }
        b.inputName(required(metadata, KEY_INPUT_NAME));
        b.inputForm(enumValue(metadata, KEY_INPUT_FORM, InputForm.class, null));
        long[] shape = longs(metadata, KEY_INPUT_SHAPE, 4);
        for (int i = 1; i < 4; i++) {
            if (shape[i] <= 0 || shape[i] > Integer.MAX_VALUE) {
                throw new ModelSpecException(KEY_INPUT_SHAPE, "expected positive C, H and W, found '"
                        + metadata.get(KEY_INPUT_SHAPE) + "'");
            }
        }
        if (shape[1] != 1 && shape[1] != 3) {
            throw new ModelSpecException(KEY_INPUT_SHAPE, "expected 1 or 3 channels (C), found " + shape[1] + " in '"
                    + metadata.get(KEY_INPUT_SHAPE) + "'");
        }
        if (shape[0] == 0 || shape[0] < -1 || shape[0] > Integer.MAX_VALUE) {
            throw new ModelSpecException(KEY_INPUT_SHAPE, "expected N to be -1 (dynamic) or positive, found '"
                    + metadata.get(KEY_INPUT_SHAPE) + "'");
        }
        b.batch((int) shape[0]).input((int) shape[1], (int) shape[2], (int) shape[3]);
        b.pixelOrder(enumValue(metadata, KEY_PIXEL_ORDER, PixelOrder.class, null));
        float scale = floatValue(metadata, KEY_SCALE);
        float[] mean = floatsValue(metadata, KEY_MEAN);
        float[] std = floatsValue(metadata, KEY_STD);
        if (mean.length != shape[1]) {
            throw new ModelSpecException(KEY_MEAN, "expected " + shape[1] + " values (one per channel), found "
                    + mean.length + " in '" + metadata.get(KEY_MEAN) + "'");
        }
        if (std.length != shape[1]) {
            throw new ModelSpecException(KEY_STD, "expected " + shape[1] + " values (one per channel), found "
                    + std.length + " in '" + metadata.get(KEY_STD) + "'");
        }
        try {
            b.normalization(Normalization.of(scale, mean, std));
        } catch (IllegalArgumentException e) {
            throw new ModelSpecException(KEY_STD, e.getMessage());
        }
        b.resizeMode(enumValue(metadata, KEY_RESIZE, ResizeMode.class, ResizeMode.STRETCH));
        b.outputName(required(metadata, KEY_OUTPUT_NAME));
        b.outputKind(enumValue(metadata, KEY_OUTPUT_KIND, OutputKind.class, null));
        String logits = metadata.get(KEY_LOGITS_NAME);
        if (logits != null) {
            b.logitsName(logits);
        }
        b.role(enumValue(metadata, KEY_ROLE, ModelRole.class, ModelRole.OTHER));
        b.precision(enumValue(metadata, KEY_PRECISION, Precision.class, Precision.FLOAT32));
        b.calibration(calibration(metadata));
        Set<String> known = Set.of(KEY_VERSION, KEY_ROLE, KEY_LABELS, KEY_INPUT_NAME, KEY_INPUT_FORM, KEY_INPUT_SHAPE,
                KEY_PIXEL_ORDER, KEY_SCALE, KEY_MEAN, KEY_STD, KEY_RESIZE, KEY_OUTPUT_NAME, KEY_OUTPUT_KIND,
                KEY_LOGITS_NAME, KEY_PRECISION, KEY_CALIBRATION_METHOD, KEY_CALIBRATION_IMAGES, KEY_CALIBRATION_DATA,
                KEY_CALIBRATION_ACTIVATIONS);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String k = e.getKey();
            if (known.contains(k)) {
                continue;
            }
            if (k.startsWith(PROVENANCE_PREFIX) && k.length() > PROVENANCE_PREFIX.length()) {
                b.provenance(k.substring(PROVENANCE_PREFIX.length()), e.getValue());
            } else {
                b.extraMetadata(k, e.getValue());
            }
        }
        String[] problem = b.problem();
        if (problem != null) {
            throw new ModelSpecException(problem[0], problem[1]);
        }
        return b.build();
    }

    /**
     * @param metadata ONNX {@code metadata_props}
     * @return whether they carry an edgekd spec (the version key is present)
     */
    public static boolean isPresent(Map<String, String> metadata) {
        return metadata.containsKey(KEY_VERSION);
    }

    /** The calibration keys: the three required ones and the optional encoding, or none. */
    private static Calibration calibration(Map<String, String> m) throws ModelSpecException {
        String method = m.get(KEY_CALIBRATION_METHOD);
        String images = m.get(KEY_CALIBRATION_IMAGES);
        String data = m.get(KEY_CALIBRATION_DATA);
        if (method == null && images == null && data == null) {
            if (m.containsKey(KEY_CALIBRATION_ACTIVATIONS)) {
                throw new ModelSpecException(KEY_CALIBRATION_ACTIVATIONS, "expected it only beside " + KEY_CALIBRATION_METHOD
                        + ", found it alone");
            }
            return null;
        }
        Calibration.Activations activations = enumValue(m, KEY_CALIBRATION_ACTIVATIONS, Calibration.Activations.class,
                Calibration.Activations.SYMMETRIC);
        Calibration.Method parsed = enumValue(m, KEY_CALIBRATION_METHOD, Calibration.Method.class, null);
        String count = required(m, KEY_CALIBRATION_IMAGES);
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            throw new ModelSpecException(KEY_CALIBRATION_IMAGES, "expected a positive integer, found '" + count + "'");
        }
        if (n < 1) {
            throw new ModelSpecException(KEY_CALIBRATION_IMAGES, "expected a positive integer, found '" + count + "'");
        }
        return new Calibration(parsed, n, required(m, KEY_CALIBRATION_DATA), activations);
    }

    private static String required(Map<String, String> m, String key) throws ModelSpecException {
        String v = m.get(key);
        if (v == null) {
            throw new ModelSpecException(key, "required key is missing (found keys: " + new TreeMap<>(m).keySet() + ")");
        }
        if (v.isBlank()) {
            throw new ModelSpecException(key, "expected a non-empty value, found '" + v + "'");
        }
        return v;
    }

    private static <E extends Enum<E>> E enumValue(Map<String, String> m, String key, Class<E> type, E fallback)
            throws ModelSpecException {
        String v = fallback == null ? required(m, key) : m.get(key);
        if (v == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new ModelSpecException(key, "expected one of " + allowed + ", found '" + v + "'");
    }

    private static float floatValue(Map<String, String> m, String key) throws ModelSpecException {
        String v = required(m, key);
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new ModelSpecException(key, "expected a number, found '" + v + "'");
        }
    }

    private static float[] floatsValue(Map<String, String> m, String key) throws ModelSpecException {
        String v = required(m, key);
        String[] parts = v.split(",", -1);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ModelSpecException(key, "expected comma-separated numbers, found '" + v + "'");
            }
        }
        return out;
    }

    private static long[] longs(Map<String, String> m, String key, int count) throws ModelSpecException {
        String v = required(m, key);
        String[] parts = v.split(",", -1);
        if (parts.length != count) {
            throw new ModelSpecException(key, "expected " + count + " comma-separated integers (N,C,H,W), found '" + v + "'");
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ModelSpecException(key, "expected " + count + " comma-separated integers (N,C,H,W), found '" + v + "'");
            }
        }
        return out;
    }

    private static String floats(float[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(Float.toString(values[i]));
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelSpec s)) {
            return false;
        }
        return batch == s.batch && channels == s.channels && height == s.height && width == s.width
                && inputName.equals(s.inputName) && inputForm == s.inputForm && pixelOrder == s.pixelOrder
                && normalization.equals(s.normalization) && resizeMode == s.resizeMode
                && outputName.equals(s.outputName) && outputKind == s.outputKind
                && Objects.equals(logitsName, s.logitsName) && labels.equals(s.labels) && role == s.role
                && precision == s.precision && Objects.equals(calibration, s.calibration)
                && provenance.equals(s.provenance) && extraMetadata.equals(s.extraMetadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputName, inputForm, batch, channels, height, width, pixelOrder, normalization,
                resizeMode, outputName, outputKind, logitsName, labels, role, precision, calibration, provenance, extraMetadata);
    }

    @Override
    public String toString() {
        return "ModelSpec[" + role.key() + ", input " + inputName + " " + inputForm.key() + " " + batch + "x"
                + channels + "x" + height + "x" + width + " " + pixelOrder.key() + ", output " + outputName + " ("
                + outputKind.key() + "), " + labels.size() + " classes " + labels
                + (precision == Precision.FLOAT32 ? "" : ", " + precision.key()
                + (calibration == null ? "" : " (" + calibration.method().key() + " calibration, " + calibration.images() + " images"
                + (calibration.activations() == Calibration.Activations.SYMMETRIC ? "" : ", " + calibration.activations().key() + " activations")
                + ")"))
                + "]";
    }

    /**
     * Builds a {@link ModelSpec}. Defaults: input name {@code input}, form {@link InputForm#FLOAT_NCHW},
     * dynamic batch, pixel order from the channel count (GRAY for 1, RGB for 3), normalisation
     * {@link Normalization#unit(int)}, {@link ResizeMode#STRETCH}, output {@code probabilities} holding
     * {@link OutputKind#PROBABILITIES}, role {@link ModelRole#OTHER}, precision {@link Precision#FLOAT32} without
     * calibration. Labels and the input size have no default.
     *
     * <p>Thread safety: not thread-safe; use from one thread.
     */
    public static final class Builder {
        private String inputName = "input";
        private InputForm inputForm = InputForm.FLOAT_NCHW;
        private int batch = -1;
        private int channels;
        private int height;
        private int width;
        private PixelOrder pixelOrder;
        private Normalization normalization;
        private ResizeMode resizeMode = ResizeMode.STRETCH;
        private String outputName = "probabilities";
        private OutputKind outputKind = OutputKind.PROBABILITIES;
        private String logitsName;
        private List<String> labels = new ArrayList<>();
        private ModelRole role = ModelRole.OTHER;
        private Precision precision = Precision.FLOAT32;
        private Calibration calibration;
        private SortedMap<String, String> provenance = new TreeMap<>();
        private SortedMap<String, String> extraMetadata = new TreeMap<>();

        private Builder() {
        }

        /** @param name graph input name @return this */
        public Builder inputName(String name) {
            this.inputName = Objects.requireNonNull(name, "inputName");
            return this;
        }

        /** @param form input form @return this */
        public Builder inputForm(InputForm form) {
            this.inputForm = Objects.requireNonNull(form, "inputForm");
            return this;
        }

        /** @param batch fixed batch size, or -1 for a dynamic batch dimension @return this */
        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        /**
         * @param channels 1 or 3
         * @param height   pixels
         * @param width    pixels
         * @return this
         */
        public Builder input(int channels, int height, int width) {
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        /** @param order channel order @return this */
        public Builder pixelOrder(PixelOrder order) {
            this.pixelOrder = Objects.requireNonNull(order, "pixelOrder");
            return this;
        }

        /** @param normalization scaling and per-channel normalisation @return this */
        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** @param mode resize mode @return this */
        public Builder resizeMode(ResizeMode mode) {
            this.resizeMode = Objects.requireNonNull(mode, "resizeMode");
            return this;
        }

        /** @param name graph output name @return this */
        public Builder outputName(String name) {
            this.outputName = Objects.requireNonNull(name, "outputName");
            return this;
        }

        /** @param kind what the primary output holds @return this */
        public Builder outputKind(OutputKind kind) {
            this.outputKind = Objects.requireNonNull(kind, "outputKind");
            return this;
        }

        /** @param name name of a second output with logits, or null for none @return this */
        public Builder logitsName(String name) {
            this.logitsName = name;
            return this;
        }

        /** @param labels class labels in output order @return this */
        public Builder labels(List<String> labels) {
            this.labels = new ArrayList<>(labels);
            return this;
        }

        /** @param role the model's role @return this */
        public Builder role(ModelRole role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /**
         * @param precision the number format the graph computes in; int8 needs a {@link #calibration(Calibration)},
         *                  the float formats must have none
         * @return this
         */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** @param calibration how an int8 model's activation scales were chosen, or null for a float model @return this */
        public Builder calibration(Calibration calibration) {
            this.calibration = calibration;
            return this;
        }

        /**
         * @param key   provenance name (without the {@value #PROVENANCE_PREFIX} prefix)
         * @param value free-form value
         * @return this
         */
        public Builder provenance(String key, String value) {
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("provenance key: expected a non-empty name, found '" + key + "'");
            }
            provenance.put(key, Objects.requireNonNull(value, "provenance value"));
            return this;
        }

        /** @param entries provenance entries to add @return this */
        public Builder provenance(Map<String, String> entries) {
            entries.forEach(this::provenance);
            return this;
        }

        /**
         * @param key   a metadata key outside the edgekd scheme
         * @param value its value
         * @return this
         */
        public Builder extraMetadata(String key, String value) {
            extraMetadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the spec
         * @throws IllegalArgumentException if a value is out of range or the values disagree; the message
         *                                  names the field, what was expected and what was found
         */
        public ModelSpec build() {
            String[] problem = problem();
            if (problem != null) {
                throw new IllegalArgumentException(problem[1]);
            }
            return new ModelSpec(this);
        }

        /** Fills defaults, then returns {metadata key, message} of the first inconsistency, or null. */
        private String[] problem() {
            if (channels != 1 && channels != 3) {
                return new String[] {KEY_INPUT_SHAPE, "input channels: expected 1 or 3, found " + channels};
            }
            if (height <= 0 || width <= 0) {
                return new String[] {KEY_INPUT_SHAPE, "input size: expected positive height and width, found "
                        + height + "x" + width};
            }
            if (batch == 0 || batch < -1) {
                return new String[] {KEY_INPUT_SHAPE, "batch: expected -1 (dynamic) or a positive size, found " + batch};
            }
            if (pixelOrder == null) {
                pixelOrder = channels == 1 ? PixelOrder.GRAY : PixelOrder.RGB;
            }
            if (pixelOrder.channels() != channels) {
                return new String[] {KEY_PIXEL_ORDER, "pixelOrder: expected an order with " + channels
                        + " channel(s), found " + pixelOrder.key()};
            }
            if (normalization == null) {
                normalization = Normalization.unit(channels);
            }
            if (normalization.channels() != channels) {
                return new String[] {KEY_MEAN, "normalization: expected " + channels + " channel(s), found "
                        + normalization.channels()};
            }
            if (labels.size() < 2) {
                return new String[] {KEY_LABELS, "labels: expected at least 2 classes, found " + labels.size()
                        + " " + labels};
            }
            Set<String> seen = new HashSet<>();
            for (String label : labels) {
                if (label == null || label.isBlank()) {
                    return new String[] {KEY_LABELS, "labels: expected non-blank labels, found '" + label + "' in " + labels};
                }
                if (!seen.add(label)) {
                    return new String[] {KEY_LABELS, "labels: expected unique labels, found '" + label + "' twice in " + labels};
                }
            }
            if (inputName.isBlank()) {
                return new String[] {KEY_INPUT_NAME, "inputName: expected a non-blank name, found '" + inputName + "'"};
            }
            if (outputName.isBlank()) {
                return new String[] {KEY_OUTPUT_NAME, "outputName: expected a non-blank name, found '" + outputName + "'"};
            }
            if (logitsName != null && (logitsName.isBlank() || logitsName.equals(outputName))) {
                return new String[] {KEY_LOGITS_NAME, "logitsName: expected a non-blank name other than the output name '"
                        + outputName + "', found '" + logitsName + "'"};
            }
            if (precision == Precision.INT8 && calibration == null) {
                return new String[] {KEY_CALIBRATION_METHOD, "calibration: expected how the int8 scales were chosen (method, "
                        + "images, data fingerprint), found none"};
            }
            if (precision != Precision.INT8 && calibration != null) {
                return new String[] {KEY_CALIBRATION_METHOD, "calibration: expected none for a " + precision.key()
                        + " model (only int8 is calibrated), found " + calibration};
            }
            for (String k : extraMetadata.keySet()) {
                if (k.startsWith(PROVENANCE_PREFIX)) {
                    return new String[] {k, "extraMetadata: expected keys outside the edgekd scheme, found '" + k
                            + "' (use provenance())"};
                }
            }
            return null;
        }
    }
}
