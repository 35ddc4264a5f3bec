package io.edgekd.bench;

import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The networks the benchmarks run: edgekd's default student and teacher for 28x28 gray input and 10 classes,
 * with seeded initial weights (speed does not depend on what the weights learned), exported once into
 * {@code target/bench-models} and reused by every later fork.
 *
 * <p>Thread safety: {@link #model} is synchronized.
 */
public final class BenchModels {
    private BenchModels() {
    }

    /**
     * @param name  {@code student}, {@code student-fused} (uint8 input, preprocessing in the graph), {@code teacher}, or
     *              {@code student-cN} for the student with N classes instead of 10 (Table III: does speed depend on the
     *              class count?)
     * @return the ONNX file
     * @throws Exception if it cannot be built
     */
    public static synchronized Path model(String name) throws Exception {
        Path dir = Path.of(System.getProperty("edgekd.bench.models", "target/bench-models"));
        Path file = dir.resolve(name + ".onnx");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        boolean fused = name.endsWith("-fused");
        Matcher classCount = Pattern.compile("student-c(\\d+)").matcher(name);
        List<String> labels = classCount.matches()
                ? IntStream.range(0, Integer.parseInt(classCount.group(1))).mapToObj(i -> "class " + i).toList()
                : List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        NetworkFamily family = name.startsWith("teacher") ? TeacherNetwork.builder().build() : StudentNetwork.builder().build();
        MultiLayerNetwork net = Networks.build(family, new InputShape(1, 28, 28), labels.size(), 42);
        ModelSpec spec = ModelSpec.builder()
                .labels(labels)
                .input(1, 28, 28).normalization(Normalization.uniform(1, 0.286f, 0.353f))
                .role(name.startsWith("teacher") ? ModelRole.TEACHER : ModelRole.STUDENT).build();
        new OnnxExporter(ExportOptions.builder().fusePreprocessing(fused).build()).export(new TrainedModel(net, spec, Map.of()), file);
        return file;
    }

    /**
     * Builds every benchmark model, so that forks do not race to create them.
     *
     * @param args ignored
     * @throws Exception if one cannot be built
     */
    public static void main(String[] args) throws Exception {
        for (String m : new String[] {"student", "student-fused", "teacher", "student-c2", "student-c3", "student-c5"}) {
            System.out.println(model(m));
        }
    }
}
