package io.edgekd.train.cli;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.train.export.ExportException;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.ExportResult;
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
 * </pre>
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
            options = b.build();
        } catch (IllegalArgumentException e) {
            stderr.println("export: " + e.getMessage());
            stderr.flush();
            return 2;
        }
        try {
            TrainedModel trained = TrainedModel.load(model);
            ExportResult r = new OnnxExporter(options).export(trained, out);
            ModelSpec s = r.spec();
            stdout.println("wrote " + r.file() + " (" + String.format(Locale.ROOT, "%,d", r.sizeBytes()) + " bytes)");
            stdout.println("  input '" + s.inputName() + "' " + s.inputForm().key() + " " + s.channels() + "x" + s.height() + "x"
                    + s.width() + " " + s.pixelOrder().key() + ", output '" + s.outputName() + "' " + s.numClasses() + " classes"
                    + (s.logitsName() == null ? "" : ", logits '" + s.logitsName() + "'") + "; " + r.operators().size()
                    + " nodes, " + r.foldedBatchNorms() + " batch norm(s) folded");
            stdout.println(r.samplesCompared() == 0
                    ? "  loaded in ONNX Runtime; comparison with DL4J skipped (--check-samples 0)"
                    : String.format(Locale.ROOT, "  ONNX Runtime vs DL4J on %d random inputs: max abs diff %.3e (tolerance %.0e)",
                    r.samplesCompared(), r.maxAbsDiff(), options.tolerance()));
            stdout.flush();
            return 0;
        } catch (ModelFileException | ExportException e) {
            stderr.println("export: " + e.getMessage());
            stderr.flush();
            return 1;
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
