package io.edgekd.train.export;

import io.edgekd.core.spec.ModelSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link OnnxExporter} produced: the file (or, for an in-memory export, none), the ONNX bytes, the spec
 * written into the model's metadata, and how closely ONNX Runtime's output matched the DL4J network's.
 *
 * <p>Thread safety: immutable; {@link #modelBytes()} returns a copy.
 */
public final class ExportResult {
    private final Path file;
    private final byte[] model;
    private final ModelSpec spec;
    private final double maxAbsDiff;
    private final int samplesCompared;
    private final int foldedBatchNorms;
    private final List<String> operators;

    ExportResult(Path file, byte[] model, ModelSpec spec, double maxAbsDiff, int samplesCompared, int foldedBatchNorms,
                 List<String> operators) {
        this.file = file;
        this.model = Objects.requireNonNull(model, "model");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.maxAbsDiff = maxAbsDiff;
        this.samplesCompared = samplesCompared;
        this.foldedBatchNorms = foldedBatchNorms;
        this.operators = List.copyOf(operators);
    }

    ExportResult withFile(Path written) {
        return new ExportResult(written, model, spec, maxAbsDiff, samplesCompared, foldedBatchNorms, operators);
    }

    /** @return the written file (absolute), or null for an in-memory export */
    public Path file() {
        return file;
    }

    /** @return a copy of the ONNX model's bytes */
    public byte[] modelBytes() {
        return model.clone();
    }

    /** @return the model's size in bytes */
    public long sizeBytes() {
        return model.length;
    }

    /** @return the spec in the model's metadata (input form, pixel order, output names as exported) */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * @return the largest absolute difference between ONNX Runtime's and DL4J's probabilities over the compared
     *         inputs, or NaN when none were compared
     */
    public double maxAbsDiff() {
        return maxAbsDiff;
    }

    /** @return how many random inputs were compared (0 when the comparison was switched off) */
    public int samplesCompared() {
        return samplesCompared;
    }

    /** @return how many batch norms were folded into the convolution before them */
    public int foldedBatchNorms() {
        return foldedBatchNorms;
    }

    /** @return the op types of the graph's nodes, input to output */
    public List<String> operators() {
        return operators;
    }

    @Override
    public String toString() {
        return "ExportResult[" + (file == null ? "in memory" : file) + ", " + model.length + " bytes, " + operators.size()
                + " nodes, " + foldedBatchNorms + " batch norms folded, max abs diff " + maxAbsDiff + " over " + samplesCompared
                + " samples]";
    }
}
