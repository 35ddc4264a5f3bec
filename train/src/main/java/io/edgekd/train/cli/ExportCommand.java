package io.edgekd.train.cli;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.core.dataset.ProgressListener;
import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.Precision;
import io.edgekd.train.data.DataSource;
import io.edgekd.train.export.ExportException;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.ExportResult;
import io.edgekd.train.export.Int8Calibration;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.model.ModelFileException;
import io.edgekd.train.model.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code edgekd-train export}: writes a trained model ({@code .zip}) as an ONNX file for the edge runtime, checks
 * it in ONNX Runtime against the DL4J network, and prints what it wrote.
 *
 * <pre>
 * edgekd-train export --model student.zip --out student.onnx --fuse-preprocessing --input-order bgr
 * edgekd-train export --model student.zip --out student-int8.onnx --int8 --calibration fashion-mnist --calibration-images 500
 * edgekd-train export --model student.zip --out student-fp16.onnx --fp16
 * </pre>
 *
 * <p>{@code --calibration} takes what {@code --data} takes in the training commands; its training part is drawn
 * from, and a folder of class subfolders is read at the model's own input size and channel count.
 *
 * <p>Exit codes: 0 written and checked; 1 the model could not be read, exported or checked (the reason goes to
 * standard error, and no file is written); 2 bad arguments.
 *
 * <p>Thread safety: one instance per command-line invocation (picocli fills its fields).
 */
@Command(name = "export", sortOptions = false,
        description = {"Exports a trained model to ONNX (opset 17) for the edge runtime, and checks the file in ONNX Runtime "
                + "against the DL4J network before reporting it written."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec commandSpec;

    @Option(names = "--model", required = true, paramLabel = "MODEL.zip", description = "The trained model written by edgekd-train.")
    private Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "The ONNX file to write; its folder must exist.")
    private Path out;

    @Option(names = "--fuse-preprocessing",
            description = "The graph takes uint8 [N, H, W, C] frames and normalises them itself (default: float [N, C, H, W]).")
    private boolean fusePreprocessing;

    @Option(names = "--input-order", paramLabel = "ORDER",
            description = "Channel order the graph accepts (gray, rgb, bgr), when it differs from the model's; the graph reorders.")
    private String inputOrder;

    @Option(names = "--keep-batchnorm",
            description = "Keep batch norms as BatchNormalization nodes (default: fold them into the convolution before them).")
    private boolean keepBatchNorm;

    @Option(names = "--logits", description = "Also output the scores before softmax, as 'logits'.")
    private boolean logits;

    @Option(names = "--model-version", paramLabel = "N", defaultValue = "1", description = "ONNX model_version (default: ${DEFAULT-VALUE}).")
    private long modelVersion;

    @Option(names = "--check-samples", paramLabel = "N", defaultValue = "" + ExportOptions.DEFAULT_CHECK_SAMPLES,
            description = "Random inputs on which ONNX Runtime is compared with DL4J; 0 only loads the model (default: ${DEFAULT-VALUE}).")
    private int checkSamples;

    @Option(names = "--int8",
            description = "Int8 QDQ model (symmetric, per-channel weights), activation scales calibrated on --calibration images.")
    private boolean int8;

    @Option(names = "--fp16", description = "Float16 weights and activations, float32 input and output (for GPUs).")
    private boolean fp16;

    @Option(names = "--calibration", paramLabel = "DATA",
            description = "Calibration images for --int8, as --data of the training commands: sample, fashion-mnist, a folder "
                    + "of IDX files or of class subfolders, synthetic:... (default: sample); its training part is used.")
    private String calibration;

    @Option(names = "--calibration-images", paramLabel = "N",
            description = "Calibration images drawn from DATA (default: " + Int8Calibration.DEFAULT_IMAGES + ", at least "
                    + Int8Calibration.MIN_IMAGES + ").")
    private Integer calibrationImages;

    @Option(names = "--calibration-method", paramLabel = "METHOD",
            description = "minmax, percentile or entropy (default: minmax).")
    private String calibrationMethod;

    @Option(names = "--calibration-percentile", paramLabel = "P",
            description = "Percentile of absolute activations kept by the percentile method (default: "
                    + Int8Calibration.DEFAULT_PERCENTILE + ").")
    private Double calibrationPercentile;

    @Option(names = "--int8-activations", paramLabel = "ENCODING",
            description = "symmetric (int8, zero point 0: TensorRT and ONNX Runtime) or unsigned (uint8 with zero points, "
                    + "rectifiers folded into the convolutions: ONNX Runtime's CPU provider only, where it runs faster; "
                    + "TensorRT refuses it) (default: symmetric).")
    private String int8Activations;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** Creates the command; picocli sets its options. */
    public ExportCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter stdout = commandSpec.commandLine().getOut();
        PrintWriter stderr = commandSpec.commandLine().getErr();
        ExportOptions options;
        try {
            ExportOptions.Builder b = ExportOptions.builder()
                    .fusePreprocessing(fusePreprocessing)
                    .foldBatchNorm(!keepBatchNorm)
                    .logits(logits)
                    .modelVersion(modelVersion)
                    .checkSamples(checkSamples);
            if (inputOrder != null) {
                b.inputOrder(parseOrder(inputOrder));
            }
            checkPrecisionFlags();
            // Int8 is set with its calibration, once the model says what size the calibration images must be.
            b.precision(fp16 ? Precision.FLOAT16 : Precision.FLOAT32);
            if (calibrationMethod != null) {
                Calibration.Method.parse(calibrationMethod);
            }
            if (int8Activations != null) {
                Calibration.Activations.parse(int8Activations);
            }
            options = b.build();
        } catch (IllegalArgumentException e) {
            stderr.println("export: " + e.getMessage());
            stderr.flush();
            return 2;
        }
        try {
            TrainedModel trained = TrainedModel.load(model);
            if (int8) {
                options = options.toBuilder().precision(Precision.INT8).calibration(calibration(trained.spec())).build();
            }
            ExportResult r = new OnnxExporter(options).export(trained, out);
            ModelSpec s = r.spec();
            stdout.println("wrote " + r.file() + " (" + String.format(Locale.ROOT, "%,d", r.sizeBytes()) + " bytes)");
            stdout.println("  input '" + s.inputName() + "' " + s.inputForm().key() + " " + s.channels() + "x" + s.height() + "x"
                    + s.width() + " " + s.pixelOrder().key() + ", output '" + s.outputName() + "' " + s.numClasses() + " classes"
                    + (s.logitsName() == null ? "" : ", logits '" + s.logitsName() + "'") + "; " + r.operators().size()
                    + " nodes, " + r.foldedBatchNorms() + " batch norm(s) folded");
            Calibration cal = s.calibration();
            stdout.println("  precision " + s.precision().key() + (cal == null ? "" : ", " + cal.activations().key() + " activations, "
                    + cal.method().key() + " calibration on " + cal.images() + " images (" + options.calibration().data().source()
                    + ", fingerprint " + cal.dataFingerprint() + ")"));
            stdout.println(r.samplesCompared() == 0
                    ? "  loaded in ONNX Runtime; comparison with DL4J skipped (--check-samples 0)"
                    : String.format(Locale.ROOT, "  ONNX Runtime vs DL4J on %d %s: max abs diff %.3e (tolerance %s)",
                    r.samplesCompared(), cal == null ? "random inputs" : "held-out calibration-set images", r.maxAbsDiff(),
                    String.format(Locale.ROOT, options.tolerance() >= 0.01 ? "%.2f" : "%.0e", options.tolerance())));
            stdout.flush();
            return 0;
        } catch (ModelFileException | ExportException | DatasetException e) {
            stderr.println("export: " + e.getMessage());
            stderr.flush();
            return 1;
        }
    }

    private void checkPrecisionFlags() {
        if (int8 && fp16) {
            throw new IllegalArgumentException("--int8 and --fp16: expected at most one precision, found both");
        }
        if (!int8 && (calibration != null || calibrationImages != null || calibrationMethod != null || calibrationPercentile != null)) {
            throw new IllegalArgumentException("--calibration*: expected --int8 (only int8 is calibrated), found no --int8");
        }
        if (!int8 && int8Activations != null) {
            throw new IllegalArgumentException("--int8-activations: expected --int8, found no --int8");
        }
        if (calibrationImages != null && calibrationImages < Int8Calibration.MIN_IMAGES) {
            throw new IllegalArgumentException("--calibration-images: expected at least " + Int8Calibration.MIN_IMAGES + ", found "
                    + calibrationImages);
        }
    }

    /** Loads the calibration data at the model's size and turns the flags into the calibration. */
    private Int8Calibration calibration(ModelSpec spec) throws DatasetException, ExportException {
        String data = calibration == null ? "sample" : calibration;
        // A folder of class subfolders is decoded at the model's input size; the other sources have a size of their own.
        DataSource src = DataSource.resolve(data, spec.height(), spec.channels(), 0.2, 1, ProgressListener.NONE);
        try {
            Int8Calibration.Builder b = Int8Calibration.builder(src.train());
            if (calibrationImages != null) {
                b.images(calibrationImages);
            }
            if (calibrationMethod != null) {
                b.method(Calibration.Method.parse(calibrationMethod));
            }
            if (calibrationPercentile != null) {
                b.percentile(calibrationPercentile);
            }
            if (int8Activations != null) {
                b.activations(Calibration.Activations.parse(int8Activations));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ExportException("--calibration " + data + ": " + e.getMessage(), e);
        }
    }

    private static PixelOrder parseOrder(String text) {
        for (PixelOrder o : PixelOrder.values()) {
            if (o.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("--input-order: expected one of gray, rgb, bgr, found '" + text + "'");
    }
}
