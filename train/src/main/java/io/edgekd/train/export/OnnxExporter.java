package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.network.LayerSpec;
import io.edgekd.core.network.NetworkCost;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.OutputKind;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.core.spec.Precision;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.Dl4jNetworks;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkNode;
import io.edgekd.train.network.UnsupportedLayerException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Turns a trained DL4J network and its {@link ModelSpec} into an ONNX model (opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}, float32, dynamic batch dimension {@code batch}) that the edge runtime opens on its own:
 * the spec travels in the model's {@code metadata_props}. Before it reports success the exporter opens the
 * written bytes in ONNX Runtime through {@link io.edgekd.runtime.EdgeClassifier} (the runtime a device uses)
 * and compares its probabilities with DL4J's on a few seeded random inputs.
 *
 * <pre>{@code
 * TrainedModel student = TrainedModel.load(Path.of("student.zip"));
 * ExportResult r = new OnnxExporter(ExportOptions.builder().fusePreprocessing(true).build())
 *         .export(student, Path.of("student.onnx"));
 * System.out.println(r.file() + ": " + r.sizeBytes() + " bytes, max abs diff " + r.maxAbsDiff());
 * }</pre>
 *
 * <p>The graph follows {@link Dl4jNetworks#describe} node by node:
 * <ul>
 *   <li>convolutions (dense, grouped, depthwise, the two halves of a separable one) become {@code Conv} with
 *       explicit {@code pads}: DL4J's SAME mode puts the odd pixel bottom/right (ONNX's SAME_UPPER), written out
 *       per layer from the running spatial size; Truncate and Strict pad symmetrically;</li>
 *   <li>a batch norm right after a convolution is folded into it by default,
 *       {@code W' = W·γ/√(var+ε)}, {@code b' = (b − mean)·γ/√(var+ε) + β} (the inference form of batch norm,
 *       Ioffe &amp; Szegedy 2015, Algorithm 2, step 11, computed in double precision); any other batch norm, or every
 *       one with folding off, becomes {@code BatchNormalization};</li>
 *   <li>ReLU → {@code Relu}, ReLU6 → {@code Clip(0, 6)}, leaky ReLU → {@code LeakyRelu}, softmax →
 *       {@code Softmax(axis=1)}; max/average pooling → {@code MaxPool}/{@code AveragePool}
 *       ({@code count_include_pad=0}, as DL4J divides); global pooling → {@code GlobalAveragePool} or
 *       {@code GlobalMaxPool} then {@code Flatten}; the flatten before a dense layer → {@code Flatten(axis=1)}
 *       (NHWC networks' dense weights are already permuted to match); dense → {@code Gemm}; dropout → nothing.</li>
 * </ul>
 * edgekd's networks emit logits; the graph appends {@code Softmax} and names its output after the spec's
 * output name. A network that already ends in softmax gets no second one. With
 * {@link ExportOptions#logits()} the pre-softmax scores are a second output. With
 * {@link ExportOptions#fusePreprocessing()} the graph takes uint8 {@code [N, H, W, C]} frames and runs
 * {@code Cast → (Gather, to reorder channels) → Mul → Add → Transpose} before the network.
 *
 * <p>With {@link ExportOptions#precision()} float16 the float32 graph is then rewritten to compute in half
 * precision behind float32 input and output ({@code Float16Converter}); with int8 it is run in ONNX Runtime on the
 * calibration images to measure the range of every activation a convolution or dense layer reads or a convolution
 * writes, and rewritten into symmetric int8 QDQ form with per-channel weight scales ({@code QdqQuantizer}, after
 * batch-norm folding, so the folded weights are the ones quantized). No QOperator ({@code QLinearConv}) nodes are
 * written: the runtime fuses QDQ groups into its int8 kernels itself, and TensorRT only accepts QDQ.
 *
 * <p>The exported spec is the given one with what the export decided: input form (from the options, whatever
 * the given spec says), the accepted pixel order (normalisation constants listed in that order), a dynamic batch
 * ({@code -1}, replacing any fixed batch), output kind probabilities, the logits output name or none, the
 * precision, and for int8 the calibration (method, images, fingerprint of the images drawn).
 *
 * <p>The check feeds {@link ExportOptions#checkSamples()} random frames to both (for int8, real images from the
 * calibration dataset that calibration did not use: random noise is far outside the ranges an int8 model was
 * calibrated for) and fails when any probability differs by more than {@link ExportOptions#tolerance()} (whose
 * default depends on the precision), or when the top class differs while DL4J's own top two probabilities are
 * further apart than that tolerance (two classes DL4J itself ties at float precision may come out in either order).
 * {@link ExportResult#maxAbsDiff()} reports what was measured.
 *
 * <p>The protobuf classes are {@code ai.onnx.proto.OnnxMl} from {@code tribuo-util-onnx}: a small jar on plain
 * protobuf-java that writes IR versions up to 10 and that the runtime's tests also build models with, where
 * ND4J's own ONNX classes sit on a shaded protobuf and stop at IR version 8.
 *
 * <p>Thread safety: the exporter is immutable and may be shared; a network must not be trained or used by
 * another thread while it is exported (DL4J networks are not thread-safe). Ownership: the network and spec stay
 * the caller's; the exporter keeps nothing after a call returns.
 */
public final class OnnxExporter {
    /** The ONNX operator set the graph uses: the newest TensorRT 8.5/8.6 (JetPack 5.1/6.0) accepts. */
    public static final int OPSET = 17;
    /** The ONNX IR version written (that of ONNX 1.10 to 1.13, which opset 17 belongs to). */
    public static final int IR_VERSION = 8;
    /** The ONNX {@code producer_name}. */
    public static final String PRODUCER_NAME = "edgekd";
    /** The ONNX {@code domain} of exported models. */
    public static final String DOMAIN = "io.edgekd";

    private static final String VERSION_RESOURCE = "edgekd-train.properties";

    private final ExportOptions options;

    /** An exporter with {@link ExportOptions#defaults()}. */
    public OnnxExporter() {
        this(ExportOptions.defaults());
    }

    /** @param options how to export */
    public OnnxExporter(ExportOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** @return the options */
    public ExportOptions options() {
        return options;
    }

    /**
     * Exports, checks in ONNX Runtime, and writes atomically (a temporary file in the same folder, then a move).
     *
     * @param model the network and its spec
     * @param file  the {@code .onnx} file to write; its folder must exist
     * @return what was written
     * @throws ExportException if the model cannot be exported, the check fails or the file cannot be written;
     *                         no file is left behind
     */
    public ExportResult export(TrainedModel model, Path file) throws ExportException {
        Objects.requireNonNull(model, "model");
        return export(model.network(), model.spec(), file);
    }

    /**
     * As {@link #export(TrainedModel, Path)} for a network and spec held separately.
     *
     * @param network an initialised network
     * @param spec    its contract; the spec's labels must match the network's outputs
     * @param file    the {@code .onnx} file to write; its folder must exist
     * @return what was written
     * @throws ExportException as {@link #export(TrainedModel, Path)}
     */
    public ExportResult export(MultiLayerNetwork network, ModelSpec spec, Path file) throws ExportException {
        Objects.requireNonNull(file, "file");
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ExportException("cannot write " + abs + ": expected an existing folder " + dir + ", found "
                    + (dir != null && Files.exists(dir) ? "a file" : "nothing"));
        }
        if (Files.isDirectory(abs)) {
            throw new ExportException("cannot write " + abs + ": expected a file path, found a folder");
        }
        if (!Files.isWritable(dir)) {
            throw new ExportException("cannot write " + abs + ": expected a writable folder, found " + dir + " read-only");
        }
        Built built = build(network, spec);
        ExportResult[] result = new ExportResult[1];
        try {
            AtomicFiles.write(abs, tmp -> {
                Files.write(tmp, built.bytes());
                // Check the bytes as they lie on disk, then publish them.
                result[0] = RuntimeCheck.run(network, built.withBytes(Files.readAllBytes(tmp)), options);
            });
        } catch (IOException e) {
            throw new ExportException("cannot write " + abs + ": " + e, e);
        }
        return result[0].withFile(abs);
    }

    /**
     * Exports and checks in memory, writing nothing.
     *
     * @param model the network and its spec
     * @return the model ({@link ExportResult#file()} is null)
     * @throws ExportException if the model cannot be exported or the check fails
     */
    public ExportResult toBytes(TrainedModel model) throws ExportException {
        Objects.requireNonNull(model, "model");
        return toBytes(model.network(), model.spec());
    }

    /**
     * As {@link #toBytes(TrainedModel)} for a network and spec held separately.
     *
     * @param network an initialised network
     * @param spec    its contract
     * @return the model ({@link ExportResult#file()} is null)
     * @throws ExportException if the model cannot be exported or the check fails
     */
    public ExportResult toBytes(MultiLayerNetwork network, ModelSpec spec) throws ExportException {
        return RuntimeCheck.run(network, build(network, spec), options);
    }

    /** @return this build's version (written as the ONNX {@code producer_version}), or {@code unknown} outside a Maven build */
    public static String producerVersion() {
        try (InputStream in = OnnxExporter.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").trim();
            return v.isEmpty() || v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * An exported graph before its check.
     *
     * @param bytes         the serialized model
     * @param spec          the spec in its metadata
     * @param original      the spec it was made from (the network's own pixel order and normalisation)
     * @param channelOrder  for each model channel, the input channel it is taken from
     * @param endsInSoftmax whether DL4J's output is already probabilities
     * @param nhwc          whether the DL4J network takes NHWC input
     * @param folded        batch norms folded
     * @param operators     op types, in order
     * @param checkFrames   frames (packed HWC, accepted channel order) the check must use, or null for random ones
     */
    record Built(byte[] bytes, ModelSpec spec, ModelSpec original, int[] channelOrder, boolean endsInSoftmax, boolean nhwc,
                 int folded, List<String> operators, byte[] checkFrames) {
        Built withBytes(byte[] b) {
            return new Built(b, spec, original, channelOrder, endsInSoftmax, nhwc, folded, operators, checkFrames);
        }
    }

    Built build(MultiLayerNetwork network, ModelSpec spec) throws ExportException {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(spec, "spec");
        InputShape input = new InputShape(spec.channels(), spec.height(), spec.width());
        List<NetworkNode> nodes;
        try {
            nodes = Dl4jNetworks.describe(network, input);
        } catch (UnsupportedLayerException e) {
            throw new ExportException("cannot export: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ExportException("cannot export: the network does not fit the spec's input " + input + " (" + e.getMessage() + ")", e);
        }
        int classes = Dl4jNetworks.numClasses(network);
        if (classes != spec.numClasses()) {
            throw new ExportException("spec: expected " + classes + " labels (the network's outputs), found " + spec.numClasses()
                    + " " + spec.labels());
        }
        NetworkCost cost;
        try {
            cost = NetworkCost.of(Dl4jNetworks.specs(nodes), spec.channels(), spec.height(), spec.width());
        } catch (IllegalArgumentException e) {
            throw new ExportException("cannot export for input " + input + ": " + e.getMessage(), e);
        }

        PixelOrder modelOrder = spec.pixelOrder();
        PixelOrder accepted = options.inputOrder() == null ? modelOrder : options.inputOrder();
        if (accepted.channels() != modelOrder.channels()) {
            throw new ExportException("input order: expected an order with " + modelOrder.channels() + " channel(s) like the model's "
                    + modelOrder.key() + ", found " + accepted.key());
        }
        int[] order = channelOrder(modelOrder, accepted);
        Precision precision = options.precision();
        Int8Calibration int8 = options.calibration();
        ImageDataset calibrationImages = null;
        ImageDataset checkImages = null;
        Calibration calibration = null;
        if (precision == Precision.INT8) {
            ImageDataset data = int8.data();
            if (data.channels() != spec.channels() || data.height() != spec.height() || data.width() != spec.width()) {
                throw new ExportException("calibration data: expected " + spec.channels() + "x" + spec.height() + "x" + spec.width()
                        + " images (the model's input, CxHxW), found " + data.channels() + "x" + data.height() + "x" + data.width()
                        + " in " + data.source());
            }
            if (data.size() < int8.images()) {
                throw new ExportException("calibration data: expected at least " + int8.images() + " images, found " + data.size()
                        + " in " + data.source());
            }
            ImageDataset drawn = data.shuffle(int8.seed());
            calibrationImages = drawn.range(0, int8.images());
            int spare = Math.min(options.checkSamples(), drawn.size() - int8.images());
            // The check prefers images calibration did not see; a set with none to spare is checked on its first ones.
            checkImages = spare > 0 ? drawn.range(int8.images(), int8.images() + spare)
                    : calibrationImages.range(0, Math.min(options.checkSamples(), int8.images()));
            calibration = new Calibration(int8.method(), int8.images(), calibrationImages.fingerprint(), int8.activations());
        }
        boolean fused = options.fusePreprocessing();
        boolean logits = options.logits();
        String inputName = spec.inputName();
        String outputName = spec.outputName();
        if (inputName.equals(outputName) || logits && (inputName.equals(ExportOptions.LOGITS_NAME) || outputName.equals(ExportOptions.LOGITS_NAME))) {
            throw new ExportException("spec: expected distinct input, output" + (logits ? " and logits" : "") + " names, found input '"
                    + inputName + "', output '" + outputName + "'" + (logits ? ", logits '" + ExportOptions.LOGITS_NAME + "'" : ""));
        }
        ModelSpec exported;
        try {
            exported = spec.toBuilder()
                    .batch(-1)
                    .inputForm(fused ? InputForm.UINT8_NHWC : InputForm.FLOAT_NCHW)
                    .pixelOrder(accepted)
                    .normalization(permuted(spec.normalization(), order))
                    .outputKind(OutputKind.PROBABILITIES)
                    .logitsName(logits ? ExportOptions.LOGITS_NAME : null)
                    .precision(precision)
                    .calibration(calibration)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ExportException("spec: " + e.getMessage(), e);
        }

        Set<String> reserved = logits ? Set.of(inputName, outputName, ExportOptions.LOGITS_NAME) : Set.of(inputName, outputName);
        OnnxGraph g = new OnnxGraph("edgekd_" + spec.role().key(), reserved);
        int c = spec.channels();
        int h = spec.height();
        int w = spec.width();
        String x = preprocessing(g, spec, order, fused);

        int folded = 0;
        boolean flat = false;
        boolean endsInSoftmax = false;
        String logitsTensor = null;
        String clipMin = null;
        String clipMax = null;
        int lastOp = lastOperation(nodes);
        List<NetworkCost.Row> rows = cost.rows();
        for (int i = 0; i < nodes.size(); i++) {
            NetworkNode node = nodes.get(i);
            LayerSpec s = node.spec();
            String base = "l" + node.layerIndex() + (node.layerName() == null ? "" : "_" + node.layerName());
            int inC = i == 0 ? c : rows.get(i - 1).channels();
            int inH = i == 0 ? h : rows.get(i - 1).height();
            int inW = i == 0 ? w : rows.get(i - 1).width();
            if (s instanceof LayerSpec.Conv2d conv) {
                float[] wt = node.tensors().get("W");
                long perOut = (long) (inC / conv.groups()) * conv.kernelH() * conv.kernelW();
                if (wt.length != conv.outChannels() * perOut) {
                    throw new ExportException(layer(network, node) + ": expected weights for " + inC + " input channel(s) (spec input "
                            + input + "), found " + wt.length + " weights for " + conv.outChannels() + " filters of "
                            + conv.kernelH() + "x" + conv.kernelW() + " in " + conv.groups() + " group(s)");
                }
                float[] bias = conv.bias() ? node.tensors().get("b") : null;
                if (options.foldBatchNorm() && i + 1 < nodes.size() && nodes.get(i + 1).spec() instanceof LayerSpec.BatchNorm bn) {
                    NetworkNode bnNode = nodes.get(i + 1);
                    float[][] wb = fold(wt, bias, conv.outChannels(), bn.epsilon(), bnNode.tensors());
                    wt = wb[0];
                    bias = wb[1];
                    folded++;
                    i++;
                }
                int[] padH = pads(conv.padding(), inH, conv.kernelH(), conv.strideH(), conv.dilationH(), conv.padH());
                int[] padW = pads(conv.padding(), inW, conv.kernelW(), conv.strideW(), conv.dilationW(), conv.padW());
                List<String> in = new ArrayList<>(List.of(x, g.floats(base + "_W", wt, conv.outChannels(), inC / conv.groups(),
                        conv.kernelH(), conv.kernelW())));
                if (bias != null) {
                    in.add(g.floats(base + "_B", bias, conv.outChannels()));
                }
                x = g.node(OnnxOp.CONV, base, null, in,
                        OnnxGraph.Attr.ints("kernel_shape", conv.kernelH(), conv.kernelW()),
                        OnnxGraph.Attr.ints("strides", conv.strideH(), conv.strideW()),
                        OnnxGraph.Attr.ints("dilations", conv.dilationH(), conv.dilationW()),
                        OnnxGraph.Attr.ints("pads", padH[0], padW[0], padH[1], padW[1]),
                        OnnxGraph.Attr.integer("group", conv.groups()));
            } else if (s instanceof LayerSpec.BatchNorm bn) {
                int ch = bn.channels();
                x = g.node(OnnxOp.BATCH_NORMALIZATION, base, null, List.of(x,
                                g.floats(base + "_gamma", node.tensors().get("gamma"), ch),
                                g.floats(base + "_beta", node.tensors().get("beta"), ch),
                                g.floats(base + "_mean", node.tensors().get("mean"), ch),
                                g.floats(base + "_var", node.tensors().get("var"), ch)),
                        OnnxGraph.Attr.real("epsilon", (float) bn.epsilon()));
            } else if (s instanceof LayerSpec.Activation a) {
                switch (a.kind()) {
                    case RELU -> x = g.node(OnnxOp.RELU, base, null, List.of(x));
                    case RELU6 -> {
                        if (clipMin == null) {
                            clipMin = g.floats("relu6_min", new float[] {0f});
                            clipMax = g.floats("relu6_max", new float[] {6f});
                        }
                        x = g.node(OnnxOp.CLIP, base, null, List.of(x, clipMin, clipMax));
                    }
                    case LEAKY_RELU -> x = g.node(OnnxOp.LEAKY_RELU, base, null, List.of(x), OnnxGraph.Attr.real("alpha", (float) a.alpha()));
                    case SOFTMAX -> {
                        if (!flat) {
                            throw new ExportException(layer(network, node) + ": softmax over a [C, H, W] activation is not supported; "
                                    + "supported: softmax over class scores (after a dense or global pooling layer)");
                        }
                        if (i == lastOp) {
                            endsInSoftmax = true;
                            logitsTensor = x;
                            x = g.node(OnnxOp.SOFTMAX, base, outputName, List.of(x), OnnxGraph.Attr.integer("axis", 1));
                        } else {
                            x = g.node(OnnxOp.SOFTMAX, base, null, List.of(x), OnnxGraph.Attr.integer("axis", 1));
                        }
                    }
                    case IDENTITY -> {
                        // Nothing to compute.
                    }
                    default -> throw new IllegalStateException("activation " + a.kind());
                }
            } else if (s instanceof LayerSpec.Pool2d pool) {
                int[] padH = pads(pool.padding(), inH, pool.kernelH(), pool.strideH(), 1, pool.padH());
                int[] padW = pads(pool.padding(), inW, pool.kernelW(), pool.strideW(), 1, pool.padW());
                OnnxGraph.Attr kernel = OnnxGraph.Attr.ints("kernel_shape", pool.kernelH(), pool.kernelW());
                OnnxGraph.Attr strides = OnnxGraph.Attr.ints("strides", pool.strideH(), pool.strideW());
                OnnxGraph.Attr padAttr = OnnxGraph.Attr.ints("pads", padH[0], padW[0], padH[1], padW[1]);
                x = pool.kind() == LayerSpec.PoolKind.MAX
                        ? g.node(OnnxOp.MAX_POOL, base, null, List.of(x), kernel, strides, padAttr)
                        // DL4J divides by the number of real pixels under the window, never by the padded count.
                        : g.node(OnnxOp.AVERAGE_POOL, base, null, List.of(x), kernel, strides, padAttr,
                        OnnxGraph.Attr.integer("count_include_pad", 0));
            } else if (s instanceof LayerSpec.GlobalPool gp) {
                x = g.node(gp.kind() == LayerSpec.PoolKind.MAX ? OnnxOp.GLOBAL_MAX_POOL : OnnxOp.GLOBAL_AVERAGE_POOL, base, null, List.of(x));
                x = g.node(OnnxOp.FLATTEN, base, null, List.of(x), OnnxGraph.Attr.integer("axis", 1));
                flat = true;
            } else if (s instanceof LayerSpec.Flatten) {
                x = g.node(OnnxOp.FLATTEN, base, null, List.of(x), OnnxGraph.Attr.integer("axis", 1));
                flat = true;
            } else if (s instanceof LayerSpec.Dense dense) {
                int in = inC * inH * inW;
                List<String> inputs = new ArrayList<>(List.of(x, g.floats(base + "_W", node.tensors().get("W"), in, dense.outFeatures())));
                if (dense.bias()) {
                    inputs.add(g.floats(base + "_B", node.tensors().get("b"), dense.outFeatures()));
                }
                x = g.node(OnnxOp.GEMM, base, null, inputs, OnnxGraph.Attr.integer("transB", 0));
                flat = true;
            } else if (s instanceof LayerSpec.Dropout) {
                // Dropout is the identity at inference.
                continue;
            } else {
                throw new IllegalStateException("layer spec " + s);
            }
        }
        if (!endsInSoftmax) {
            if (!flat) {
                throw new ExportException("cannot export: expected the network to end in class scores [N, classes], found a [C, H, W] output");
            }
            logitsTensor = x;
            g.node(OnnxOp.SOFTMAX, "output", outputName, List.of(x), OnnxGraph.Attr.integer("axis", 1));
        }
        if (logits) {
            g.node(OnnxOp.IDENTITY, ExportOptions.LOGITS_NAME, ExportOptions.LOGITS_NAME, List.of(logitsTensor));
        }
        g.output(outputName, OnnxMl.TensorProto.DataType.FLOAT, -1, classes);
        if (logits) {
            g.output(ExportOptions.LOGITS_NAME, OnnxMl.TensorProto.DataType.FLOAT, -1, classes);
        }

        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER_NAME)
                .setProducerVersion(producerVersion())
                .setDomain(DOMAIN)
                .setModelVersion(options.modelVersion())
                .setDocString(docString(exported, folded))
                .setGraph(g.build());
        exported.toMetadata().forEach((k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        OnnxMl.ModelProto model = m.build();
        byte[] checkFrames = null;
        if (precision == Precision.FLOAT16) {
            model = Float16Converter.convert(model);
        } else if (precision == Precision.INT8) {
            byte[] frames = Calibrator.frames(calibrationImages, order);
            model = QdqQuantizer.quantize(model, Calibrator.thresholds(model, exported, frames, calibrationImages.size(), int8),
                    int8.activations());
            checkFrames = Calibrator.frames(checkImages, order);
        }
        List<String> operators = new ArrayList<>();
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) {
            operators.add(n.getOpType());
        }
        return new Built(model.toByteArray(), exported, spec, order, endsInSoftmax, nhwcInput(network), folded, operators, checkFrames);
    }

    /** Declares the graph input and emits the fused preprocessing or channel reorder; returns the NCHW float tensor. */
    private static String preprocessing(OnnxGraph g, ModelSpec spec, int[] order, boolean fused) {
        int c = spec.channels();
        String name = spec.inputName();
        boolean reorder = !identity(order);
        if (!fused) {
            g.input(name, OnnxMl.TensorProto.DataType.FLOAT, -1, c, spec.height(), spec.width());
            return reorder
                    ? g.node(OnnxOp.GATHER, "pre_reorder", null, List.of(name, g.longs("pre_channel_order", toLongs(order), c)),
                    OnnxGraph.Attr.integer("axis", 1))
                    : name;
        }
        g.input(name, OnnxMl.TensorProto.DataType.UINT8, -1, spec.height(), spec.width(), c);
        String x = g.node(OnnxOp.CAST, "pre_float", null, List.of(name), OnnxGraph.Attr.integer("to", OnnxMl.TensorProto.DataType.FLOAT_VALUE));
        if (reorder) {
            x = g.node(OnnxOp.GATHER, "pre_reorder", null, List.of(x, g.longs("pre_channel_order", toLongs(order), c)),
                    OnnxGraph.Attr.integer("axis", 3));
        }
        // x * scale/std - mean/std, per channel in the model's order, broadcast over the last (channel) axis.
        float[] mul = new float[c];
        float[] add = new float[c];
        for (int k = 0; k < c; k++) {
            mul[k] = spec.normalization().multiplier(k);
            add[k] = spec.normalization().offset(k);
        }
        x = g.node(OnnxOp.MUL, "pre_scale", null, List.of(x, g.floats("pre_multiplier", mul, c)));
        x = g.node(OnnxOp.ADD, "pre_shift", null, List.of(x, g.floats("pre_offset", add, c)));
        return g.node(OnnxOp.TRANSPOSE, "pre_nchw", null, List.of(x), OnnxGraph.Attr.ints("perm", 0, 3, 1, 2));
    }

    /** For each model channel, the index of the accepted-order channel that holds it. */
    static int[] channelOrder(PixelOrder model, PixelOrder accepted) {
        int c = model.channels();
        int[] order = new int[c];
        for (int k = 0; k < c; k++) {
            order[k] = model == accepted ? k : c - 1 - k; // RGB <-> BGR: the only reorder between orders of equal width
        }
        return order;
    }

    private static boolean identity(int[] order) {
        for (int k = 0; k < order.length; k++) {
            if (order[k] != k) {
                return false;
            }
        }
        return true;
    }

    private static long[] toLongs(int[] a) {
        long[] l = new long[a.length];
        for (int k = 0; k < a.length; k++) {
            l[k] = a[k];
        }
        return l;
    }

    /** The model's normalisation with its channels in the accepted order. */
    private static Normalization permuted(Normalization n, int[] order) {
        float[] mean = new float[order.length];
        float[] std = new float[order.length];
        for (int mc = 0; mc < order.length; mc++) {
            mean[order[mc]] = n.mean(mc);
            std[order[mc]] = n.std(mc);
        }
        return Normalization.of(n.scale(), mean, std);
    }

    /** Index of the last node that computes something (trailing dropout and identity activations do not). */
    private static int lastOperation(List<NetworkNode> nodes) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            LayerSpec s = nodes.get(i).spec();
            boolean noop = s instanceof LayerSpec.Dropout
                    || s instanceof LayerSpec.Activation a && a.kind() == LayerSpec.ActivationKind.IDENTITY;
            if (!noop) {
                return i;
            }
        }
        return -1;
    }

    /** {before, after} padding along one axis. */
    private static int[] pads(LayerSpec.PaddingMode mode, int in, int kernel, int stride, int dilation, int pad) {
        return mode == LayerSpec.PaddingMode.SAME ? NetworkCost.samePadding(in, kernel, stride, dilation) : new int[] {pad, pad};
    }

    /**
     * Folds inference batch norm into the convolution before it, in double precision.
     *
     * @return {W', b'}
     */
    static float[][] fold(float[] wt, float[] bias, int out, double eps, java.util.Map<String, float[]> bn) {
        float[] gamma = bn.get("gamma");
        float[] beta = bn.get("beta");
        float[] mean = bn.get("mean");
        float[] var = bn.get("var");
        int per = wt.length / out;
        float[] w2 = new float[wt.length];
        float[] b2 = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt((double) var[o] + eps);
            for (int k = 0; k < per; k++) {
                w2[o * per + k] = (float) (wt[o * per + k] * scale);
            }
            double b = bias == null ? 0.0 : bias[o];
            b2[o] = (float) ((b - mean[o]) * scale + beta[o]);
        }
        return new float[][] {w2, b2};
    }

    /** Whether the DL4J network takes NHWC input (its first layer that has a format says so). */
    static boolean nhwcInput(MultiLayerNetwork net) {
        for (int i = 0; i < net.getnLayers(); i++) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pre instanceof CnnToFeedForwardPreProcessor cnn) {
                return cnn.getFormat() == CNN2DFormat.NHWC;
            }
            Layer cfg = net.getLayer(i).conf().getLayer();
            if (cfg instanceof ConvolutionLayer conv) {
                return conv.getCnn2dDataFormat() == CNN2DFormat.NHWC;
            }
            if (cfg instanceof SubsamplingLayer pool) {
                return pool.getCnn2dDataFormat() == CNN2DFormat.NHWC;
            }
            if (cfg instanceof BatchNormalization bn) {
                return bn.getCnn2DFormat() == CNN2DFormat.NHWC;
            }
            if (cfg instanceof GlobalPoolingLayer gp) {
                return gp.getPoolingDimensions() != null && Arrays.equals(gp.getPoolingDimensions(), new int[] {1, 2});
            }
        }
        return false;
    }

    private static String layer(MultiLayerNetwork net, NetworkNode node) {
        Layer cfg = net.getLayer(node.layerIndex()).conf().getLayer();
        return "layer " + node.layerIndex() + " (" + cfg.getClass().getSimpleName()
                + (node.layerName() == null ? "" : " '" + node.layerName() + "'") + ")";
    }

    private static String docString(ModelSpec s, int folded) {
        return String.format(Locale.ROOT, "edgekd %s image classifier, %d classes. Input '%s': %s %s, %s%s. Output '%s': "
                        + "class probabilities [batch, %d]%s. Opset %d; %d batch norm(s) folded into convolutions; %s.",
                s.role().key(), s.numClasses(), s.inputName(), s.inputForm() == InputForm.UINT8_NHWC ? "uint8" : "float32",
                s.inputForm() == InputForm.UINT8_NHWC
                        ? "[batch, " + s.height() + ", " + s.width() + ", " + s.channels() + "]"
                        : "[batch, " + s.channels() + ", " + s.height() + ", " + s.width() + "]",
                s.pixelOrder().key(),
                s.inputForm() == InputForm.UINT8_NHWC ? " raw 0-255 values, normalised in the graph" : " normalised as the metadata says",
                s.outputName(), s.numClasses(),
                s.logitsName() == null ? "" : "; '" + s.logitsName() + "': scores before softmax", OPSET, folded,
                switch (s.precision()) {
                    case FLOAT32 -> "float32";
                    case FLOAT16 -> "float16 weights and activations, float32 input and output";
                    case INT8 -> "int8 QDQ (" + (s.calibration().activations() == Calibration.Activations.SYMMETRIC
                            ? "symmetric int8 activations" : "unsigned uint8 activations, for ONNX Runtime's CPU provider")
                            + ", per-channel symmetric int8 weights), activation scales from " + s.calibration().method().key()
                            + " calibration on " + s.calibration().images() + " images";
                });
    }
}
