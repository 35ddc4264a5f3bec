package io.edgekd.bench;

import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.Precision;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The models {@link PrecisionBenchmark} runs: the student (or, for comparison, the teacher, whose dense 3x3
 * convolutions are compute-bound where the student's depthwise ones are memory-bound), 10 classes, seeded weights,
 * exported as float32, float16 and int8 into {@code target/precision-models}, once, before any JMH fork starts.
 *
 * <p>The student is built with every builder option spelled out (stem 32, width 1.0, 2 stages of 2 blocks, ReLU6,
 * linear depthwise: the defaults when this was written), so that a later change of {@code StudentNetwork}'s defaults,
 * such as a stem that grows with the input size, does not silently change what these numbers measure. The int8
 * model is calibrated on 64 seeded synthetic images at the input size: speed does not depend on what the weights or
 * the scales are, only on the kernels that run.
 *
 * <p>Thread safety: {@link #model} is synchronized.
 */
public final class PrecisionModels {
    private PrecisionModels() {
    }

    /**
     * @return the default student as benchmarked: every builder option written out as the defaults are, stem stride
     *         and stage count chosen from the input size (at 224x224 a stride-2 stem and 4 stages, 93 M
     *         multiply-accumulates)
     */
    static StudentNetwork student() {
        return StudentNetwork.builder().stemFilters(32).widthMultiplier(1.0).stemStride(StudentNetwork.AUTO).stages(StudentNetwork.AUTO)
                .blocksPerStage(2).relu6(true).depthwiseBatchNorm(false).build();
    }

    /**
     * @return the student of the first int8 measurement (docs/benchmarks/precision-224.json): stride-1 stem and 2 stages at
     *         every input size (214 M multiply-accumulates at 224x224), before the student's downsampling followed the
     *         input size
     */
    static StudentNetwork unstridedStudent() {
        return StudentNetwork.builder().stemFilters(32).widthMultiplier(1.0).stemStride(1).stages(2).blocksPerStage(2).relu6(true)
                .depthwiseBatchNorm(false).build();
    }

    /** @return the teacher exactly as benchmarked (the defaults when this was written) */
    static TeacherNetwork teacher() {
        return TeacherNetwork.builder().stemFilters(32).width(1.0).convsPerStage(2).dropout(0.3).denseUnits(256).build();
    }

    /** A model variant: its precision and, for int8, how activations are encoded. */
    enum Variant {
        FLOAT32(Precision.FLOAT32, null),
        FLOAT16(Precision.FLOAT16, null),
        /** Symmetric int8 activations: the default, the form TensorRT takes. */
        INT8(Precision.INT8, Calibration.Activations.SYMMETRIC),
        /** Unsigned uint8 activations with rectifiers folded: ONNX Runtime's CPU provider only. */
        INT8_UNSIGNED(Precision.INT8, Calibration.Activations.UNSIGNED);

        final Precision precision;
        final Calibration.Activations activations;

        Variant(Precision precision, Calibration.Activations activations) {
            this.precision = precision;
            this.activations = activations;
        }

        /** @return {@code float32}, {@code float16}, {@code int8} or {@code int8-unsigned} */
        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Variant parse(String text) {
            for (Variant v : values()) {
                if (v.key().equals(text)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("precision: expected float32, float16, int8 or int8-unsigned, found '" + text + "'");
        }
    }

    /**
     * @param network   {@code student}, {@code student-unstrided} or {@code teacher}
     * @param variant   float32, float16, int8 or int8-unsigned
     * @param channels  1 or 3
     * @param size      input side in pixels
     * @return the ONNX file
     * @throws Exception if it cannot be built
     */
    public static synchronized Path model(String network, String variant, int channels, int size) throws Exception {
        Variant v = Variant.parse(variant);
        NetworkFamily family = switch (network) {
            case "student" -> student();
            case "student-unstrided" -> unstridedStudent();
            case "teacher" -> teacher();
            default -> throw new IllegalArgumentException("network: expected student, student-unstrided or teacher, found '" + network + "'");
        };
        Path dir = Path.of(System.getProperty("edgekd.bench.models", "target/precision-models"));
        Path file = dir.resolve(String.format(Locale.ROOT, "%s-%dx%dx%d-%s.onnx", network, channels, size, size, v.key()));
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        List<String> labels = IntStream.range(0, 10).mapToObj(i -> "class " + i).toList();
        MultiLayerNetwork net = Networks.build(family, new InputShape(channels, size, size), labels.size(), 42);
        ModelSpec spec = ModelSpec.builder().labels(labels).input(channels, size, size)
                .normalization(channels == 1 ? Normalization.uniform(1, 0.286f, 0.353f)
                        : Normalization.of(Normalization.UNIT_SCALE, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}))
                .role(network.equals("teacher") ? ModelRole.TEACHER : ModelRole.STUDENT).build();
        ExportOptions.Builder o = ExportOptions.builder().precision(v.precision);
        if (v.precision == Precision.INT8) {
            o.calibration(BenchModels.syntheticCalibration(new InputShape(channels, size, size)).method(Calibration.Method.PERCENTILE)
                    .activations(v.activations).build());
        }
        new OnnxExporter(o.build()).export(net, spec, file);
        return file;
    }

    /**
     * Builds the benchmark models and prints their sizes.
     *
     * @param args {@code [channels size [network]]}, default {@code 3 224 student}
     * @throws Exception if one cannot be built
     */
    public static void main(String[] args) throws Exception {
        int channels = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 224;
        String network = args.length > 2 ? args[2] : "student";
        for (Variant v : Variant.values()) {
            Path f = model(network, v.key(), channels, size);
            System.out.println(f + " " + Files.size(f) + " bytes");
        }
    }
}
