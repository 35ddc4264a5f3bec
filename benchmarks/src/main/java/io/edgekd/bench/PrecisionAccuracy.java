package io.edgekd.bench;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.ProgressListener;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.Calibration;
import io.edgekd.core.spec.Precision;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.runtime.EdgeRunner;
import io.edgekd.train.data.DataSource;
import io.edgekd.train.export.ExportOptions;
import io.edgekd.train.export.ExportResult;
import io.edgekd.train.export.Int8Calibration;
import io.edgekd.train.export.OnnxExporter;
import io.edgekd.train.model.TrainedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy of one trained model exported at each precision, measured in ONNX Runtime on a dataset's whole test
 * split: float32 (the reference), float16, int8 with each calibration method and int8 with unsigned activations
 * (min-max); for each, the accuracy, the points
 * it loses against float32, top-1 agreement with float32 and the largest probability difference, plus the file size.
 * Prints a table and writes it as JSON.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.edgekd.bench.PrecisionAccuracy \
 *     student.zip fashion-mnist 500 out-dir
 * </pre>
 *
 * <p>Not a JMH benchmark: it measures numbers, not time, so it lives here beside the benchmarks that report on the
 * same files.
 */
public final class PrecisionAccuracy {
    private PrecisionAccuracy() {
    }

    /** One precision's result. */
    record Row(String name, long bytes, double accuracy, double agreement, double maxProbDiff, double exportCheckDiff) {
    }

    /**
     * @param args model zip, data (as {@code --data}), calibration images, output folder
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Path zip = Path.of(args[0]);
        String data = args.length > 1 ? args[1] : "fashion-mnist";
        int images = args.length > 2 ? Integer.parseInt(args[2]) : Int8Calibration.DEFAULT_IMAGES;
        Path out = Path.of(args.length > 3 ? args[3] : "target/precision-accuracy");
        Files.createDirectories(out);
        TrainedModel model = TrainedModel.load(zip);
        DataSource src = DataSource.resolve(data, model.spec().height(), model.spec().channels(), 0.2, 1, ProgressListener.NONE);
        ImageDataset test = src.test();
        Map<String, ExportOptions> variants = new LinkedHashMap<>();
        variants.put("float32", ExportOptions.defaults());
        variants.put("float16", ExportOptions.builder().precision(Precision.FLOAT16).build());
        for (Calibration.Method m : Calibration.Method.values()) {
            variants.put("int8-" + m.key(), ExportOptions.builder().precision(Precision.INT8)
                    .calibration(Int8Calibration.builder(src.train()).images(images).method(m).build()).build());
        }
        variants.put("int8-unsigned-minmax", ExportOptions.builder().precision(Precision.INT8)
                .calibration(Int8Calibration.builder(src.train()).images(images).activations(Calibration.Activations.UNSIGNED).build()).build());
        float[] reference = null;
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, ExportOptions> v : variants.entrySet()) {
            Path file = out.resolve(zip.getFileName().toString().replaceFirst("\\.zip$", "") + "-" + v.getKey() + ".onnx");
            long t0 = System.nanoTime();
            ExportResult r = new OnnxExporter(v.getValue()).export(model, file);
            long t1 = System.nanoTime();
            float[] p = probabilities(file, test);
            if (reference == null) {
                reference = p;
            }
            rows.add(score(v.getKey(), r.sizeBytes(), p, reference, test, r.maxAbsDiff()));
            System.out.printf(Locale.ROOT, "%-22s exported in %.1f s, evaluated in %.1f s%n", v.getKey(), (t1 - t0) / 1e9,
                    (System.nanoTime() - t1) / 1e9);
        }
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%s on %s, test split (%d images), %d calibration images%n",
                zip.getFileName(), src.name(), test.size(), images));
        table.append(String.format(Locale.ROOT, "%-22s %10s %9s %9s %10s %12s%n", "precision", "bytes", "accuracy", "vs fp32", "agreement",
                "max |dp|"));
        StringBuilder json = new StringBuilder("{\n  \"model\": \"" + zip.getFileName() + "\",\n  \"data\": \"" + src.name()
                .replace("\\", "\\\\").replace("\"", "\\\"") + "\",\n  \"testImages\": " + test.size() + ",\n  \"calibrationImages\": "
                + images + ",\n  \"results\": [\n");
        double ref = rows.get(0).accuracy();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            table.append(String.format(Locale.ROOT, "%-22s %,10d %9.4f %+9.2f %10.4f %12.4f%n", r.name(), r.bytes(), r.accuracy(),
                    100 * (r.accuracy() - ref), r.agreement(), r.maxProbDiff()));
            json.append(String.format(Locale.ROOT, "    {\"precision\": \"%s\", \"bytes\": %d, \"accuracy\": %.4f, \"pointsVsFloat32\": %.2f, "
                            + "\"top1AgreementWithFloat32\": %.4f, \"maxProbDiffVsFloat32\": %.4f, \"exportCheckMaxDiff\": %.3e}%s%n",
                    r.name(), r.bytes(), r.accuracy(), 100 * (r.accuracy() - ref), r.agreement(), r.maxProbDiff(), r.exportCheckDiff(),
                    i + 1 < rows.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        System.out.print(table);
        Files.writeString(out.resolve("precision-accuracy.json"), json);
        Files.writeString(out.resolve("precision-accuracy.txt"), table);
    }

    /** Probabilities of every test image, [n * classes], run 64 at a time. */
    private static float[] probabilities(Path file, ImageDataset test) throws Exception {
        try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().intraOpThreads(1).warmupRuns(0).build())) {
            int k = c.spec().numClasses();
            int batch = 64;
            float[] out = new float[test.size() * k];
            PixelFormat format = PixelFormat.packed(c.spec().pixelOrder());
            byte[] frame = new byte[test.imageBytes()];
            try (EdgeRunner runner = c.newRunner(batch)) {
                for (int from = 0; from < test.size(); from += batch) {
                    int n = Math.min(batch, test.size() - from);
                    for (int i = 0; i < n; i++) {
                        test.copyImage(from + i, frame, 0);
                        runner.put(i, frame, 0, test.width(), test.height(), test.width() * test.channels(), format);
                    }
                    runner.run();
                    for (int i = 0; i < n; i++) {
                        runner.probabilities(i, out, (from + i) * k);
                    }
                }
            }
            return out;
        }
    }

    private static Row score(String name, long bytes, float[] p, float[] ref, ImageDataset test, double checkDiff) {
        int k = p.length / test.size();
        int correct = 0;
        int agree = 0;
        double maxDiff = 0;
        for (int i = 0; i < test.size(); i++) {
            int top = argmax(p, i * k, k);
            if (top == test.label(i)) {
                correct++;
            }
            if (top == argmax(ref, i * k, k)) {
                agree++;
            }
            for (int j = 0; j < k; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(p[i * k + j] - ref[i * k + j]));
            }
        }
        return new Row(name, bytes, correct / (double) test.size(), agree / (double) test.size(), maxDiff, checkDiff);
    }

    private static int argmax(float[] a, int from, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (a[from + j] > a[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
