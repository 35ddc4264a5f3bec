package io.edgekd.bench;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.Precision;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.Int8Calibration;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.network.Dl4jNetworks;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The networks the benchmarks run, exported once into {@code target/bench-models} (or {@code -Dedgekd.bench.models})
 * and reused by every later fork: edgekd's default student and teacher at any input size and class count, each as
 * an ONNX file with float input, an ONNX file with fused preprocessing (uint8 NHWC input) and the DL4J model it was
 * exported from, and the MobileNetV2-shaped reference ({@link MobileNetV2Onnx}, 1,000 classes).
 *
 * <p>Weights are seeded and untrained: latency does not depend on what the weights learned (the same operators run
 * on the same shapes whatever the values; the He-scaled random weights keep activations normal, not denormal).
 *
 * <p>Model names: {@code student}, {@code teacher}, {@code mobilenetv2}; inputs {@code CxHxW} ({@code 1x28x28},
 * {@code 3x224x224}, ...). The names of the first benchmarks still work: {@code student}, {@code student-fused},
 * {@code teacher}, {@code student-cN} (28x28 gray).
 *
 * <p>Thread safety: the methods are synchronized (and forks run one after another, so one process writes a file
 * at a time; files appear by an atomic move).
 */
public final class BenchModels {
    /** Classes of the MobileNetV2 reference, as in the published device numbers (ImageNet). */
    public static final int MOBILENET_CLASSES = 1000;
    private static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    private BenchModels() {
    }

    /**
     * @param model   {@code student}, {@code teacher} or {@code mobilenetv2}
     * @param input   {@code CxHxW}
     * @param classes classes (ignored for {@code mobilenetv2}: 1,000)
     * @param fused   preprocessing in the graph (uint8 NHWC input); not for {@code mobilenetv2}
     * @return the ONNX file, built on first use
     * @throws Exception if it cannot be built
     */
    public static synchronized Path onnx(String model, String input, int classes, boolean fused) throws Exception {
        Path file = dir().resolve(baseName(model, input, classes) + (fused ? "-fused" : "") + ".onnx");
        if (!Files.isRegularFile(file)) {
            build(model, input, classes);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(model + ": expected a model with " + (fused ? "fused" : "float") + " input, found none at " + file);
        }
        return file;
    }

    /**
     * @param model     {@code student} or {@code teacher}
     * @param input     {@code CxHxW}
     * @param classes   classes
     * @param precision {@code float32}, {@code int8} (symmetric activations, the default export) or {@code int8-unsigned}
     *                  (unsigned activations, ONNX Runtime's CPU provider only)
     * @return the ONNX file at that precision (float input, preprocessed), built on first use
     * @throws Exception if it cannot be built
     */
    public static synchronized Path onnx(String model, String input, int classes, String precision) throws Exception {
        if (precision.equals("float32")) {
            return onnx(model, input, classes, false);
        }
        if (!INT8_VARIANTS.contains(precision)) {
            throw new IllegalArgumentException("precision: expected float32, int8 or int8-unsigned, found '" + precision + "'");
        }
        if ("mobilenetv2".equals(model)) {
            throw new IllegalArgumentException("precision " + precision + ": expected student or teacher, found mobilenetv2 (float32 only)");
        }
        Path file = dir().resolve(baseName(model, input, classes) + "-" + precision + ".onnx");
        if (!Files.isRegularFile(file)) {
            build(model, input, classes);
        }
        return file;
    }

    /** The int8 files {@link #build} writes beside each float32 student and teacher. */
    static final List<String> INT8_VARIANTS = List.of("int8", "int8-unsigned");
    /** Calibration images of the int8 benchmark files: speed depends on the kernels that run, not on the scales. */
    static final int INT8_CALIBRATION_IMAGES = 64;

    /**
     * @param in the model's input
     * @return the calibration of every int8 benchmark file: {@value #INT8_CALIBRATION_IMAGES} seeded synthetic images at
     *         the input's size (min-max unless the caller sets another method)
     */
    static Int8Calibration.Builder syntheticCalibration(InputShape in) {
        ImageDataset images = SyntheticImages.builder().classes(8).size(in.width(), in.height()).channels(in.channels())
                .perClass(INT8_CALIBRATION_IMAGES / 8 + 1).seed(7).build();
        return Int8Calibration.builder(images).images(INT8_CALIBRATION_IMAGES);
    }

    /**
     * @param model   {@code student} or {@code teacher}
     * @param input   {@code CxHxW}
     * @param classes classes
     * @return the DL4J model ({@code ModelSerializer} zip) the ONNX files were exported from
     * @throws Exception if it cannot be built
     */
    public static synchronized Path dl4j(String model, String input, int classes) throws Exception {
        Path file = dir().resolve(baseName(model, input, classes) + ".zip");
        if (!Files.isRegularFile(file)) {
            build(model, input, classes);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(model + ": expected a DL4J network, found none (" + model + " is written directly as ONNX)");
        }
        return file;
    }

    /**
     * @param model   model name
     * @param input   {@code CxHxW}
     * @param classes classes
     * @return multiply-accumulates per image, counted when the model was built
     * @throws Exception if it cannot be built
     */
    public static synchronized long macs(String model, String input, int classes) throws Exception {
        Path file = dir().resolve(baseName(model, input, classes) + ".macs");
        if (!Files.isRegularFile(file)) {
            build(model, input, classes);
        }
        return Long.parseLong(Files.readString(file).trim());
    }

    /**
     * The first benchmarks' model names.
     *
     * @param name {@code student}, {@code student-fused}, {@code teacher} or {@code student-cN}: 28x28 gray
     * @return the ONNX file
     * @throws Exception if it cannot be built
     */
    public static Path model(String name) throws Exception {
        boolean fused = name.endsWith("-fused");
        String base = fused ? name.substring(0, name.length() - "-fused".length()) : name;
        int classes = 10;
        if (base.startsWith("student-c")) {
            classes = Integer.parseInt(base.substring("student-c".length()));
            base = "student";
        }
        return onnx(base, "1x28x28", classes, fused);
    }

    /**
     * @param input {@code CxHxW}
     * @return the shape
     */
    public static InputShape shape(String input) {
        String[] p = input.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("input: expected CxHxW such as 3x224x224, found " + input);
        }
        return new InputShape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    /** @return the file name of a model without its extension and precision: {@code student-3x224x224-c10} */
    static String baseName(String model, String input, int classes) {
        int k = "mobilenetv2".equals(model) ? MOBILENET_CLASSES : classes;
        return model + "-" + shape(input) + "-c" + k;
    }

    private static Path dir() throws IOException {
        Path dir = Path.of(System.getProperty("edgekd.bench.models", "target/bench-models"));
        Files.createDirectories(dir);
        return dir;
    }

    private static ModelSpec spec(String model, InputShape in, int classes) {
        List<String> labels = classes == 10 && in.channels() == 1 ? FASHION
                : IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
        // Fashion-MNIST's statistics for gray input; ImageNet's (Caffe/torchvision means and deviations) for colour.
        Normalization norm = in.channels() == 1 ? Normalization.uniform(1, 0.286f, 0.353f)
                : Normalization.of(1f / 255, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        return ModelSpec.builder().labels(labels).input(in.channels(), in.height(), in.width()).normalization(norm)
                .role("teacher".equals(model) ? ModelRole.TEACHER : ModelRole.STUDENT).build();
    }

    private static void build(String model, String input, int classes) throws Exception {
        InputShape in = shape(input);
        Path dir = dir();
        String base = baseName(model, input, classes);
        long macs;
        switch (model) {
            case "mobilenetv2" -> {
                MobileNetV2Onnx.Built net = MobileNetV2Onnx.build(spec(model, in, MOBILENET_CLASSES), 42);
                write(dir.resolve(base + ".onnx"), net.bytes());
                macs = net.macs();
            }
            case "student", "teacher" -> {
                NetworkFamily family = "teacher".equals(model) ? TeacherNetwork.builder().build() : StudentNetwork.builder().build();
                MultiLayerNetwork net = Networks.build(family, in, classes, 42);
                ModelSpec spec = spec(model, in, classes);
                // Few check samples: the teacher at 224x224 costs 6.5 G multiply-accumulates per image in DL4J.
                ExportOptions.Builder options = ExportOptions.builder().checkSamples(2);
                new OnnxExporter(options.build()).export(net, spec, dir.resolve(base + ".onnx"));
                new OnnxExporter(options.fusePreprocessing(true).build()).export(net, spec, dir.resolve(base + "-fused.onnx"));
                for (String v : INT8_VARIANTS) {
                    ExportOptions int8 = ExportOptions.builder().checkSamples(2).precision(Precision.INT8)
                            .calibration(syntheticCalibration(in).activations(PrecisionModels.Variant.parse(v).activations).build()).build();
                    new OnnxExporter(int8).export(net, spec, dir.resolve(base + "-" + v + ".onnx"));
                }
                Path tmp = Files.createTempFile(dir, base, ".tmp");
                ModelSerializer.writeModel(net, tmp.toFile(), false);
                Files.move(tmp, dir.resolve(base + ".zip"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                macs = Dl4jNetworks.cost(net, in).totalMacs();
            }
            default -> throw new IllegalArgumentException("model: expected student, teacher or mobilenetv2, found " + model);
        }
        write(dir.resolve(base + ".macs"), Long.toString(macs).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Builds benchmark models before JMH forks start.
     *
     * @param args {@code model:CxHxW:classes} entries; none for the 28x28 set of the first benchmarks
     * @throws Exception if one cannot be built
     */
    public static void main(String[] args) throws Exception {
        List<String> ids = new ArrayList<>(List.of(args));
        if (ids.isEmpty()) {
            ids.addAll(List.of("student:1x28x28:10", "teacher:1x28x28:10", "student:1x28x28:2", "student:1x28x28:3", "student:1x28x28:5"));
        }
        for (String id : ids) {
            String[] p = id.split(":");
            if (p.length != 3) {
                throw new IllegalArgumentException("expected model:CxHxW:classes, found " + id);
            }
            long t0 = System.nanoTime();
            Path file = onnx(p[0], p[1], Integer.parseInt(p[2]), false);
            if (!"mobilenetv2".equals(p[0])) {
                for (String v : INT8_VARIANTS) {
                    onnx(p[0], p[1], Integer.parseInt(p[2]), v);
                }
            }
            System.out.printf(Locale.ROOT, "%s  %,d MACs  (%.1f s)%n", file, macs(p[0], p[1], Integer.parseInt(p[2])), (System.nanoTime() - t0) / 1e9);
        }
    }
}
