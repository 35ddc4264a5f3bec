package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.OutputKind;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeModelException;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.training.TrainingException;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Any ONNX image classifier as a teacher, run in ONNX Runtime through the edge runtime: an edgekd export, or a model
 * trained elsewhere (PyTorch, Keras, a large network at 224 px on a GPU), whose input contract comes from its edgekd
 * metadata or from a {@link ModelSpec} the caller gives (labels, input size, channel order, normalisation).
 *
 * <p>Each example is handed to the runtime as the raw frame the student's batch was built from (after the same
 * seeded augmentation), so the runtime's own preprocessing resizes and normalises it to the teacher's contract: a
 * 224x224 RGB teacher can teach a 28x28 grey student. The rows are log-probabilities: the natural log of the
 * runtime's output, which for a graph whose spec says {@link OutputKind#LOGITS} is {@code log softmax(logits)} — the
 * logits less a per-row constant, which the distillation loss does not see.
 *
 * <pre>{@code
 * try (OnnxTeacher teacher = OnnxTeacher.open(Path.of("resnet-teacher.onnx"), null, 2)) {
 *     TrainingResult student = Distiller.builder().teacher(teacher).build().train(split.train(), split.validation());
 * }
 * }</pre>
 *
 * <p>Ownership: holds an ONNX Runtime session; close it after training. Thread safety: one thread at a time.
 */
public final class OnnxTeacher implements Teacher {
    /** Images per ONNX Runtime call for models with a dynamic batch dimension. */
    public static final int DEFAULT_BATCH = 64;

    private final Path file;
    private final EdgeClassifier classifier;
    private final EdgeRunner runner;
    private final ModelSpec spec;
    private final int k;
    private byte[] image;
    private byte[] augmented;

    private OnnxTeacher(Path file, EdgeClassifier classifier, EdgeRunner runner) {
        this.file = file;
        this.classifier = classifier;
        this.runner = runner;
        this.spec = classifier.spec();
        this.k = spec.numClasses();
    }

    /**
     * @param file    the {@code .onnx} file
     * @param spec    its contract, or null to read edgekd metadata from the file
     * @param threads ONNX Runtime intra-op threads
     * @return the teacher; close it
     * @throws EdgeModelException when the file cannot be opened as an image classifier with that contract
     */
    public static OnnxTeacher open(Path file, ModelSpec spec, int threads) throws EdgeModelException {
        Objects.requireNonNull(file, "file");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected at least 1, found " + threads);
        }
        EdgeClassifier c = EdgeClassifier.open(file, spec, EdgeOptions.builder().intraOpThreads(threads).warmupRuns(1).build());
        try {
            int fixed = c.fixedBatchSize();
            return new OnnxTeacher(file, c, c.newRunner(fixed > 0 ? fixed : DEFAULT_BATCH));
        } catch (EdgeModelException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** @return the teacher's contract */
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public List<String> labels() {
        return spec.labels();
    }

    @Override
    public float[][] outputs(ImageDataset data, int[] positions, Augmentation augmentation, long seed, int epoch) throws TrainingException {
        int bytes = data.imageBytes();
        if (image == null || image.length != bytes) {
            image = new byte[bytes];
            augmented = new byte[bytes];
        }
        PixelFormat format = data.channels() == 1 ? PixelFormat.GRAY8 : PixelFormat.RGB24;
        int slots = runner.batchSize();
        float[][] out = new float[positions.length][k];
        FloatBuffer probs = runner.probabilities();
        try {
            for (int from = 0; from < positions.length; from += slots) {
                int m = Math.min(slots, positions.length - from);
                for (int j = 0; j < m; j++) {
                    int p = positions[from + j];
                    data.copyImage(p, image, 0);
                    byte[] src = image;
                    if (augmentation.enabled()) {
                        augmentation.apply(image, augmented, data.width(), data.height(), data.channels(), Augmentation.random(seed, epoch, p));
                        src = augmented;
                    }
                    runner.put(j, src, 0, data.width(), data.height(), data.width() * data.channels(), format);
                }
                runner.run();
                for (int j = 0; j < m; j++) {
                    float[] row = out[from + j];
                    for (int c = 0; c < k; c++) {
                        row[c] = (float) Math.log(Math.max(probs.get(j * k + c), 1e-30f));
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new TrainingException("teacher " + file + ": ONNX Runtime failed on a batch: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public boolean givesLogits() {
        return false;
    }

    @Override
    public void checkCompatible(ImageDataset data) {
        if (!spec.labels().equals(data.classes())) {
            throw new IllegalArgumentException("data for distillation from the ONNX teacher " + file + ": expected its classes in its order "
                    + spec.labels() + ", found " + data.classes());
        }
        if (data.channels() != 1 && data.channels() != 3) {
            throw new IllegalArgumentException("data for distillation from the ONNX teacher " + file
                    + ": expected grey (1 channel) or RGB (3 channels) images, found " + data.channels() + " channels");
        }
    }

    @Override
    public Map<String, String> provenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Provenance.KD_TEACHER, "onnx:" + file.getFileName() + " " + Provenance.find(spec, Provenance.NETWORK).orElse(Provenance.UNKNOWN));
        m.put(Provenance.KD_TEACHER_DATA_FINGERPRINT, Provenance.find(spec, Provenance.TRAIN_DATA_FINGERPRINT).orElse(Provenance.UNKNOWN));
        m.put(Provenance.KD_TEACHER_ACCURACY, Provenance.find(spec, Provenance.VALIDATION_ACCURACY).orElse(Provenance.UNKNOWN));
        return m;
    }

    @Override
    public void close() {
        runner.close();
        classifier.close();
    }

    @Override
    public String toString() {
        return "OnnxTeacher[" + file + "]";
    }
}
