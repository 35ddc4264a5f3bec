package io.edgekd.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgekd.core.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns the JMH JSON files of one verdict run ({@code run-verdict.sh}) into {@code <machine>.md} (ms per frame,
 * p50/p99, bytes and direct memory per frame, the ratio to each peer, class-count independence, the 20 ms verdict and
 * every target of the benchmark plan, met or missed), {@code <machine>.png} (a chart) and {@code summary.json}.
 *
 * <pre>
 *   java -cp ... io.edgekd.bench.VerdictReport RUN_DIR --machine NAME --out DIR [--command TEXT] [--require-all]
 * </pre>
 *
 * Averages come from AverageTime runs (the mean over rounds when a combination ran more than once), p50/p99 from
 * SampleTime runs, bytes per frame from {@code -prof gc} ({@code gc.alloc.rate.norm}) and direct memory per frame
 * from {@link DirectMemoryProfiler} (the largest over rounds). {@code --require-all} fails unless every benchmark
 * method has a result: the CI check that every benchmark still runs.
 */
public final class VerdictReport {
    /** Published MobileNetV2 224x224 latencies (ms, ncnn, 4 threads; see docs: MISSION reference points). */
    static final Map<String, Double> MOBILENETV2_MS = Map.of("pi4", 61.9, "pi5", 10.5, "jetsonNanoCpu", 33.8, "orinNanoCpu", 6.5);
    private static final List<String> DEVICES = List.of("pi4", "pi5", "jetsonNanoCpu", "orinNanoCpu");
    private static final List<String> SIZES = List.of("1x28x28", "3x96x96", "3x160x160", "3x224x224");
    /** Benchmark method → column. */
    private static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("classifyPreprocessed", "edgekd");
        COLUMNS.put("classifyCameraFrame", "edgekdFrame");
        COLUMNS.put("classifyCameraFrameFused", "edgekdFrameFused");
        COLUMNS.put("classifyFrame", "edgekdOwnFrame");
        COLUMNS.put("bareSessionRun", "floor");
        COLUMNS.put("ortUsualWay", "ortUsual");
        COLUMNS.put("djlPredict", "djl");
        COLUMNS.put("dl4jOutput", "dl4j");
        COLUMNS.put("opencvForward", "opencv");
    }

    /** One benchmark at one parameter set, over every run of it. */
    static final class Cell {
        final List<Double> avg = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final List<Double> bytes = new ArrayList<>();
        double direct = Double.NaN;
        double best = Double.NaN;

        Double mean() {
            return avg.isEmpty() ? null : avg.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        /** @return the fastest 1-second iteration's average: the least disturbed by other processes */
        Double fastest() {
            return Double.isNaN(best) ? null : best;
        }

        Double median50() {
            return p50.isEmpty() ? null : p50.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        Double median99() {
            return p99.isEmpty() ? null : p99.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        Double bytesPerFrame() {
            return bytes.isEmpty() ? null : bytes.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
    }

    /** Parameters of a result. */
    record Key(String model, String input, int classes, int threads) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = model.compareTo(o.model);
            if (c == 0) {
                c = Integer.compare(SIZES.indexOf(input), SIZES.indexOf(o.input));
            }
            if (c == 0) {
                c = Integer.compare(o.classes, classes); // 10 first
            }
            return c != 0 ? c : Integer.compare(threads, o.threads);
        }
    }

    private final Map<Key, Map<String, Cell>> cells = new TreeMap<>();
    /** Side-by-side results ({@link PairedBenchmark}): "group input" → {first side, second side} µs, one per run. */
    private final Map<String, List<double[]>> paired = new TreeMap<>();
    /** PairedBenchmark group → its two methods, numerator first. */
    private static final Map<String, List<String>> PAIRS = Map.of(
            "runtime", List.of("edgekd", "floor"),
            "frame", List.of("frameEdgekd", "frameFloor"),
            "frameFused", List.of("frameFusedEdgekd", "frameFusedFloor"),
            "djl", List.of("djlEdgekd", "djlPredict"),
            "dl4j", List.of("dl4jEdgekd", "dl4jOutput"),
            "classes", List.of("edgekdClasses", "edgekdTwoClasses"),
            "reference", List.of("edgekdStudent", "edgekdMobileNetV2"));
    /** Model file name → bytes, from the run folder's {@code model-bytes.txt}. */
    private final Map<String, Long> modelBytes = new TreeMap<>();
    private String jvm = "?";
    private String jvmArgs = "?";
    private String jmhVersion = "?";

    private VerdictReport() {
    }

    /**
     * @param args RUN_DIR, then {@code --machine NAME}, {@code --out DIR}, {@code --command TEXT}, {@code --require-all}
     * @throws Exception if the results cannot be read or the report written
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: VerdictReport RUN_DIR [--machine NAME] [--out DIR] [--command TEXT] [--require-all]");
            System.exit(2);
        }
        Path run = Path.of(args[0]);
        String machine = "machine";
        Path out = run;
        String command = "benchmarks/run-verdict.sh full";
        boolean requireAll = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--machine" -> machine = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                case "--require-all" -> requireAll = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + ", expected --machine, --out, --command or --require-all");
            }
        }
        VerdictReport r = new VerdictReport();
        List<Path> files;
        try (Stream<Path> s = Files.list(run)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            r.read(f);
        }
        Path sizes = run.resolve("model-bytes.txt");
        if (Files.isRegularFile(sizes)) {
            for (String line : Files.readAllLines(sizes)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2) {
                    r.modelBytes.put(f[0], Long.parseLong(f[1]));
                }
            }
        }
        if (r.cells.isEmpty()) {
            throw new IllegalArgumentException(run + ": expected JMH JSON results, found none");
        }
        if (requireAll) {
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, String> e : COLUMNS.entrySet()) {
                boolean found = r.cells.values().stream().anyMatch(m -> m.containsKey(e.getValue()));
                if (!found) {
                    missing.add(e.getKey());
                }
            }
            for (String group : PAIRS.keySet()) {
                if (r.paired.keySet().stream().noneMatch(g -> g.startsWith(group + " "))) {
                    missing.add("PairedBenchmark." + group);
                }
            }
            for (String column : List.of("edgekdInt8", "edgekdInt8Unsigned")) {
                if (r.cells.values().stream().noneMatch(m -> m.containsKey(column))) {
                    missing.add("classifyPreprocessed at precision " + (column.endsWith("Unsigned") ? "int8-unsigned" : "int8"));
                }
            }
            if (r.modelBytes.isEmpty()) {
                missing.add("model-bytes.txt");
            }
            if (!missing.isEmpty()) {
                System.err.println("expected a result from every benchmark, found none from " + missing);
                System.exit(1);
            }
        }
        Files.createDirectories(out);
        String machineText = Files.isRegularFile(run.resolve("machine.txt")) ? Files.readString(run.resolve("machine.txt")) : "";
        String load = Files.isRegularFile(run.resolve("load.txt")) ? Files.readString(run.resolve("load.txt")) : "";
        Path png = out.resolve(machine + ".png");
        r.chart(png, machine);
        AtomicFiles.writeString(out.resolve(machine + ".md"), r.markdown(machine, command, machineText, load, png.getFileName().toString()));
        AtomicFiles.writeString(out.resolve("summary.json"), new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(r.summary()) + "\n");
        System.out.println("wrote " + out.resolve(machine + ".md") + ", " + png + ", " + out.resolve("summary.json")
                + " (" + r.cells.size() + " parameter sets from " + files.size() + " files)");
    }

    private void read(Path file) throws IOException {
        String text = Files.readString(file);
        if (text.isBlank()) {
            return;
        }
        JsonArray all = new com.google.gson.Gson().fromJson(text, JsonArray.class);
        for (JsonElement el : all) {
            JsonObject o = el.getAsJsonObject();
            String bench = o.get("benchmark").getAsString();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            if (bench.contains(".PairedBenchmark.") && PAIRS.containsKey(method)) {
                JsonObject sec = o.getAsJsonObject("secondaryMetrics");
                List<String> sides = PAIRS.get(method);
                double a = sec.getAsJsonObject(sides.get(0)).get("score").getAsDouble();
                double b = sec.getAsJsonObject(sides.get(1)).get("score").getAsDouble();
                String input = o.getAsJsonObject("params").get("input").getAsString();
                paired.computeIfAbsent(method + " " + input, g -> new ArrayList<>()).add(new double[] {a, b});
                continue;
            }
            String column = COLUMNS.get(method);
            if (column == null) {
                continue;
            }
            JsonObject p = o.getAsJsonObject("params");
            String precision = p.has("precision") ? p.get("precision").getAsString() : "float32";
            if (!precision.equals("float32")) {
                // Int8 files of the same model: their own columns, next to the float32 ones.
                if (!method.equals("classifyPreprocessed")) {
                    continue;
                }
                column = precision.equals("int8") ? "edgekdInt8" : "edgekdInt8Unsigned";
            } else if (method.equals("classifyPreprocessed") && file.getFileName().toString().contains("-int8-")) {
                // The float32 side of an int8 comparison (run-verdict.sh's int8 invocations): the speed-ups divide by it,
                // so that both sides come from the same invocation and the same minutes of the machine's load.
                column = "edgekdInt8Float32";
            }
            String model = p.get("model").getAsString();
            // The MobileNetV2 reference has 1,000 classes whatever the classes parameter said.
            int classes = "mobilenetv2".equals(model) ? BenchModels.MOBILENET_CLASSES : p.get("classes").getAsInt();
            Key key = new Key(model, p.get("input").getAsString(), classes, p.get("threads").getAsInt());
            Cell cell = cells.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(column, c -> new Cell());
            JsonObject primary = o.getAsJsonObject("primaryMetric");
            String unit = primary.get("scoreUnit").getAsString();
            if (!unit.equals("us/op")) {
                throw new IllegalArgumentException(file + ": expected scores in us/op, found " + unit);
            }
            double score = primary.get("score").getAsDouble();
            if ("sample".equals(o.get("mode").getAsString())) {
                JsonObject pct = primary.getAsJsonObject("scorePercentiles");
                cell.p50.add(pct.get("50.0").getAsDouble());
                cell.p99.add(pct.get("99.0").getAsDouble());
            } else {
                cell.avg.add(score);
                for (JsonElement fork : primary.getAsJsonArray("rawData")) {
                    for (JsonElement it : fork.getAsJsonArray()) {
                        double v = it.getAsDouble();
                        cell.best = Double.isNaN(cell.best) ? v : Math.min(cell.best, v);
                    }
                }
            }
            JsonObject secondary = o.getAsJsonObject("secondaryMetrics");
            if (secondary != null && secondary.has("gc.alloc.rate.norm")) {
                cell.bytes.add(secondary.getAsJsonObject("gc.alloc.rate.norm").get("score").getAsDouble());
            }
            if (secondary != null && secondary.has("direct.bytes.norm")) {
                double d = secondary.getAsJsonObject("direct.bytes.norm").get("score").getAsDouble();
                cell.direct = Double.isNaN(cell.direct) ? d : Math.max(cell.direct, d);
            }
            jvm = o.get("vmName").getAsString() + " " + o.get("vmVersion").getAsString() + " (JDK " + o.get("jdkVersion").getAsString() + ")";
            jvmArgs = o.get("jvmArgs").toString();
            jmhVersion = o.get("jmhVersion").getAsString();
        }
    }

    private Cell cell(Key k, String column) {
        Map<String, Cell> m = cells.get(k);
        return m == null ? null : m.get(column);
    }

    /** @return the average in microseconds, or null where it was not measured */
    Double avg(Key k, String column) {
        Cell c = cell(k, column);
        return c == null ? null : c.mean();
    }

    private static Key student(String input) {
        return new Key("student", input, 10, 1);
    }

    private static Key mobilenet(int threads) {
        return new Key("mobilenetv2", "3x224x224", BenchModels.MOBILENET_CLASSES, threads);
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }

    // ---------------------------------------------------------------- summary.json

    private Map<String, Object> summary() throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> results = new ArrayList<>();
        for (Map.Entry<Key, Map<String, Cell>> e : cells.entrySet()) {
            Key k = e.getKey();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", k.model());
            o.put("input", k.input());
            o.put("classes", k.classes());
            o.put("threads", k.threads());
            o.put("macs", BenchModels.macs(k.model(), k.input(), k.classes()));
            o.put("edgekdUs", round(avg(k, "edgekd")));
            o.put("edgekdFrameUs", round(avg(k, "edgekdFrame")));
            o.put("floorUs", round(avg(k, "floor")));
            o.put("ortUsualUs", round(avg(k, "ortUsual")));
            o.put("djlUs", round(avg(k, "djl")));
            o.put("dl4jUs", round(avg(k, "dl4j")));
            o.put("opencvUs", round(avg(k, "opencv")));
            o.put("edgekdBytesPerFrame", round(bytes(k, "edgekd")));
            o.put("floorBytesPerFrame", round(bytes(k, "floor")));
            // Int8 (symmetric activations, the default int8 export) and its file; the unsigned variant beside it.
            o.put("int8Float32Us", round(avg(k, "edgekdInt8Float32")));
            o.put("int8Us", round(avg(k, "edgekdInt8")));
            o.put("int8UnsignedUs", round(avg(k, "edgekdInt8Unsigned")));
            o.put("float32Bytes", fileBytes(k, "float32"));
            o.put("int8Bytes", fileBytes(k, "int8"));
            o.put("int8UnsignedBytes", fileBytes(k, "int8-unsigned"));
            results.add(o);
        }
        root.put("results", results);
        Map<String, Object> mobile = new LinkedHashMap<>();
        for (int t : new int[] {1, 2, 4}) {
            Double us = avg(mobilenet(t), "edgekd");
            if (us != null) {
                mobile.put(Integer.toString(t), round(us));
            }
        }
        root.put("mobilenetv2Us", mobile);
        Map<String, Object> predicted = new LinkedHashMap<>();
        for (String size : SIZES) {
            Map<String, Double> p = predicted(size);
            if (p != null) {
                predicted.put(size, p);
            }
        }
        root.put("predictedMs", predicted);
        return root;
    }

    /**
     * Predicted device milliseconds for the default student: (our time ÷ MobileNetV2's, same run, 1 thread) × published
     * time. The ratio is the side-by-side one where it was measured (both in the same seconds, so the machine's other
     * load does not tilt it), else the ratio of the means.
     */
    private Map<String, Double> predicted(String size) {
        Double r = predictionRatio(size);
        if (r == null) {
            return null;
        }
        Map<String, Double> p = new LinkedHashMap<>();
        for (String d : DEVICES) {
            p.put(d, Math.round(r * MOBILENETV2_MS.get(d) * 100) / 100.0);
        }
        return p;
    }

    private Double predictionRatio(String size) {
        Double side = paired("reference", size);
        return side != null ? side : ratio(avg(student(size), "edgekd"), avg(mobilenet(1), "edgekd"));
    }

    /**
     * @return the size of the model's file at that precision, from the run's {@code model-bytes.txt} (written by
     *         run-verdict.sh when it builds the models), when int8 was measured for it; else null
     */
    private Long fileBytes(Key k, String precision) {
        if (cell(k, "edgekdInt8") == null && cell(k, "edgekdInt8Unsigned") == null) {
            return null;
        }
        return modelBytes.get(BenchModels.baseName(k.model(), k.input(), k.classes()) + (precision.equals("float32") ? "" : "-" + precision)
                + ".onnx");
    }

    private Double bytes(Key k, String column) {
        Cell c = cell(k, column);
        return c == null ? null : c.bytesPerFrame();
    }

    private Double direct(Key k, String column) {
        Cell c = cell(k, column);
        return c == null || Double.isNaN(c.direct) ? null : c.direct;
    }

    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 100) / 100.0;
    }

    // ---------------------------------------------------------------- markdown

    private static String ms(Double us) {
        if (us == null) {
            return "—";
        }
        double m = us / 1000;
        return String.format(Locale.ROOT, m >= 100 ? "%.0f" : m >= 10 ? "%.1f" : m >= 1 ? "%.2f" : "%.3f", m);
    }

    private static String x(Double r) {
        return r == null ? "—" : String.format(Locale.ROOT, r >= 10 ? "%.0fx" : "%.2fx", r);
    }

    /** @return the side-by-side ratio, marked, or else the given one */
    private String sideOr(String group, String input, Double otherwise) {
        Double side = paired(group, input);
        return side != null ? String.format(Locale.ROOT, side < 0.1 ? "%.4fx" : "%.3fx", side) + " (side by side)" : x3(otherwise);
    }

    private static String x3(Double r) {
        return r == null ? "—" : String.format(Locale.ROOT, "%.3fx", r);
    }

    private static String b(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.0f", v);
    }

    private String markdown(String machine, String command, String machineText, String load, String png) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append("# Benchmark verdict: ").append(machine).append("\n\n");
        s.append("Produced by `").append(command).append("` and `VerdictReport` (JMH ").append(jmhVersion).append("). JVM: ")
                .append(jvm).append(", fork arguments ").append(jvmArgs).append(". ONNX Runtime 1.29.0 (CPU), one inter-op thread, ")
                .append("no spinning, all graph optimisations, `threads` intra-op threads.\n\n");
        s.append("Models: seeded random weights (latency does not depend on what the weights learned). Mean: AverageTime mode, ")
                .append("mean over the rounds; fastest: the fastest 1-second AverageTime iteration of any round (other processes ")
                .append("only ever add time, so it is the least disturbed estimate); p50/p99: SampleTime mode. Time targets are judged ")
                .append("on each of the three and, where a pair was measured, side by side (`PairedBenchmark`: both sides in the same seconds, the fair ratio on a shared machine; see its section). B/frame: `-prof gc` `gc.alloc.rate.norm`; direct B/frame: ")
                .append("growth of the JVM's direct buffer pool per call (largest over iterations, `DirectMemoryProfiler`). ")
                .append("**This machine is shared and was loaded by other work during the run** (load averages below): ")
                .append("absolute times are noisy; the targets are ratios between benchmarks of the same run.\n\n");
        s.append("![chart](").append(png).append(")\n\n");

        s.append("## The 20 ms verdict (default student, 10 classes, 1 thread)\n\n");
        s.append("Times are SampleTime medians (p50; means, fastest iterations and p99 are in the tables below). Ratios to the ")
                .append("floor, DJL, DL4J and MobileNetV2 are side by side (`PairedBenchmark`) where measured, which is the fair ratio on ")
                .append("this loaded machine; the others are ratios of medians.\n\n");
        s.append("| input | MACs | edgekd ms | raw 640x480 frame ms (Java / fused) | floor ms | edgekd ÷ floor | edgekd ÷ DJL | edgekd ÷ DL4J | ORT usual ÷ edgekd | OpenCV ÷ edgekd | student ÷ MobileNetV2 | predicted Pi 4 ms | 20 ms on a Pi 4 |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String size : SIZES) {
            Key k = student(size);
            if (!cells.containsKey(k)) {
                continue;
            }
            Double e = p50(k, "edgekd");
            Map<String, Double> p = predicted(size);
            s.append("| ").append(size).append(" | ").append(String.format(Locale.ROOT, "%.1f M", BenchModels.macs("student", size, 10) / 1e6))
                    .append(" | ").append(ms(e))
                    .append(" | ").append(ms(p50(k, "edgekdFrame"))).append(" / ").append(ms(p50(k, "edgekdFrameFused")))
                    .append(" | ").append(ms(p50(k, "floor")))
                    .append(" | ").append(sideOr("runtime", size, ratio(e, p50(k, "floor"))))
                    .append(" | ").append(sideOr("djl", size, ratio(e, p50(k, "djl"))))
                    .append(" | ").append(sideOr("dl4j", size, ratio(e, p50(k, "dl4j"))))
                    .append(" | ").append(x(ratio(p50(k, "ortUsual"), e)))
                    .append(" | ").append(x(ratio(p50(k, "opencv"), e)))
                    .append(" | ").append(sideOr("reference", size, ratio(e, p50(mobilenet(1), "edgekd"))))
                    .append(" | ").append(p == null ? "—" : String.format(Locale.ROOT, "%.1f", p.get("pi4")))
                    .append(" | ").append(p == null ? "—" : p.get("pi4") <= 20 ? "yes" : "no").append(" |\n");
        }
        s.append("\nPredicted device times are **predictions, not measurements**: (edgekd's time for the student ÷ its time for the ")
                .append("MobileNetV2-shaped reference, same run, 1 thread each, measured side by side where that pair ran, else the ratio of the means) × MobileNetV2's published time (ncnn, 4 threads: Pi 4 61.9 ms, ")
                .append("Pi 5 10.5, Jetson Nano CPU 33.8, Orin Nano CPU 6.5). They assume the two networks' time ratio carries over to ")
                .append("the device and runtime.\n\n");
        s.append("| input | Pi 4 ms | Pi 5 ms | Jetson Nano CPU ms | Orin Nano CPU ms |\n|---|---|---|---|---|\n");
        for (String size : SIZES) {
            Map<String, Double> p = predicted(size);
            if (p != null) {
                s.append("| ").append(size);
                for (String d : DEVICES) {
                    s.append(" | ").append(String.format(Locale.ROOT, "%.2f", p.get(d)));
                }
                s.append(" |\n");
            }
        }

        if (!paired.isEmpty()) {
            s.append("\n## Side by side (`PairedBenchmark`: both sides at once, one thread each)\n\n")
                    .append("Benchmarks run one after another see different load on a shared machine; these pairs run both sides in the ")
                    .append("same seconds, so the load falls on both. Absolute times here are higher (the two sides share the 2 cores ")
                    .append("with each other and with the machine's other work); only the ratios are meant.\n\n")
                    .append("| pair | input | ratio | from it |\n|---|---|---|---|\n");
            Map<String, String> names = Map.of("runtime", "edgekd ÷ floor", "classes", "10 classes ÷ 2 classes", "reference", "student ÷ MobileNetV2",
                    "frame", "raw frame (Java preprocessing) ÷ floor", "frameFused", "raw frame (fused preprocessing) ÷ floor",
                    "djl", "edgekd ÷ DJL", "dl4j", "edgekd ÷ DL4J");
            for (String g : List.of("runtime", "frame", "frameFused", "djl", "dl4j", "classes", "reference")) {
                for (String size : SIZES) {
                    String t = pairedText(g, size);
                    if (t != null) {
                        s.append("| ").append(names.get(g)).append(" | ").append(size).append(" | ").append(t).append(" | ")
                                .append(g.equals("reference") ? String.format(Locale.ROOT, "%.1f (a prediction)", paired(g, size) * MOBILENETV2_MS.get("pi4"))
                                        : g.startsWith("frame") ? String.format(Locale.ROOT, "(difference: %+.3f ms)", pairedDifference(g, size) / 1000) : "")
                                .append(" |\n");
                    }
                }
            }
        }
        s.append("\n## Every peer, ms per frame and memory per frame\n\n");
        s.append("| model | input | threads | benchmark | mean ms | fastest iteration ms | p50 ms | p99 ms | heap B/frame | direct B/frame |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Key, Map<String, Cell>> e : cells.entrySet()) {
            Key k = e.getKey();
            if (k.classes() != 10 && !k.model().equals("mobilenetv2")) {
                continue;
            }
            for (String col : COLUMNS.values()) {
                Cell c = e.getValue().get(col);
                if (c == null) {
                    continue;
                }
                s.append("| ").append(k.model()).append(" | ").append(k.input()).append(" | ").append(k.threads()).append(" | ").append(col)
                        .append(" | ").append(ms(c.mean())).append(" | ").append(ms(c.fastest())).append(" | ").append(ms(c.median50())).append(" | ").append(ms(c.median99()))
                        .append(" | ").append(b(c.bytesPerFrame())).append(" | ").append(b(Double.isNaN(c.direct) ? null : c.direct)).append(" |\n");
            }
        }

        s.append("\n## Threads (edgekd and the floor)\n\n| model | input | threads | edgekd ms | floor ms | edgekd ÷ floor | student ÷ MobileNetV2 |\n|---|---|---|---|---|---|---|\n");
        for (Key k : cells.keySet()) {
            if (k.classes() != 10 && !k.model().equals("mobilenetv2") || k.model().equals("teacher")) {
                continue;
            }
            if (!(k.input().equals("3x96x96") || k.input().equals("3x224x224"))) {
                continue;
            }
            Double e = avg(k, "edgekd");
            s.append("| ").append(k.model()).append(" | ").append(k.input()).append(" | ").append(k.threads()).append(" | ").append(ms(e))
                    .append(" | ").append(ms(avg(k, "floor"))).append(" | ").append(x(ratio(e, avg(k, "floor"))))
                    .append(" | ").append(k.model().equals("student") ? x(ratio(e, avg(mobilenet(k.threads()), "edgekd"))) : "").append(" |\n");
        }
        s.append("\nThe machine has 2 cores: 4 threads oversubscribe it.\n");

        s.append("\n## Class count (the paper's Table III): latency at 10 classes ÷ at 2\n\n| input | classes | edgekd ms | floor ms | ÷ 2 classes (edgekd avg / p50) |\n|---|---|---|---|---|\n");
        for (String size : List.of("1x28x28", "3x224x224")) {
            Key two = new Key("student", size, 2, 1);
            for (int c : new int[] {2, 3, 5, 10}) {
                Key k = new Key("student", size, c, 1);
                if (!cells.containsKey(k)) {
                    continue;
                }
                s.append("| ").append(size).append(" | ").append(c).append(" | ").append(ms(avg(k, "edgekd"))).append(" | ").append(ms(avg(k, "floor")))
                        .append(" | ").append(x(ratio(avg(k, "edgekd"), avg(two, "edgekd")))).append(" / ")
                        .append(x(ratio(p50(k, "edgekd"), p50(two, "edgekd")))).append(" |\n");
            }
        }

        s.append("\n## Teacher (edgekd and the floor, 1 thread)\n\n| input | MACs | edgekd ms | floor ms | edgekd ÷ floor |\n|---|---|---|---|---|\n");
        for (String size : SIZES) {
            Key k = new Key("teacher", size, 10, 1);
            if (cells.containsKey(k)) {
                s.append("| ").append(size).append(" | ").append(String.format(Locale.ROOT, "%.0f M", BenchModels.macs("teacher", size, 10) / 1e6))
                        .append(" | ").append(ms(avg(k, "edgekd"))).append(" | ").append(ms(avg(k, "floor"))).append(" | ")
                        .append(x(ratio(avg(k, "edgekd"), avg(k, "floor")))).append(" |\n");
            }
        }

        int8Section(s);

        s.append("\n## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        targets(s);

        s.append("\n## Machine\n\n```\n").append(machineText.strip()).append("\n```\n\nLoad average (1, 5, 15 min) when each JMH invocation started:\n\n```\n")
                .append(load.strip()).append("\n```\n");
        return s.toString();
    }

    /** @return the side-by-side ratio of a PairedBenchmark group at an input, mean over runs, or null */
    Double paired(String group, String input) {
        List<double[]> v = paired.get(group + " " + input);
        return v == null ? null : v.stream().mapToDouble(d -> d[0] / d[1]).average().orElseThrow();
    }

    /** @return first side minus second side, µs, mean over runs, or null */
    Double pairedDifference(String group, String input) {
        List<double[]> v = paired.get(group + " " + input);
        return v == null ? null : v.stream().mapToDouble(d -> d[0] - d[1]).average().orElseThrow();
    }

    private String pairedText(String group, String input) {
        List<double[]> v = paired.get(group + " " + input);
        if (v == null) {
            return null;
        }
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%.3fx side by side", paired(group, input)));
        if (v.size() > 1) {
            t.append(" (runs:");
            for (double[] d : v) {
                t.append(String.format(Locale.ROOT, " %.3f", d[0] / d[1]));
            }
            t.append(")");
        }
        return t.toString();
    }

    private Double best(Key k, String column) {
        Cell c = cell(k, column);
        return c == null ? null : c.fastest();
    }

    private Double p50(Key k, String column) {
        Cell c = cell(k, column);
        return c == null ? null : c.median50();
    }

    private Double p99(Key k, String column) {
        Cell c = cell(k, column);
        return c == null ? null : c.median99();
    }

    /** A statistic of one benchmark: mean, p50 or fastest iteration. */
    private interface Stat {
        Double of(Key k, String column);
    }

    /**
     * A target on the ratio a/b of two benchmarks, judged on each statistic: the mean of the rounds, the SampleTime
     * median and the fastest 1-second iteration (interference from other processes only adds time).
     */
    private void ratioRow(StringBuilder s, String target, Key ka, String a, Key kb, String b, java.util.function.DoublePredicate ok, String fmt) {
        ratioRow(s, target, ka, a, kb, b, ok, fmt, null, null);
    }

    private void ratioRow(StringBuilder s, String target, Key ka, String a, Key kb, String b, java.util.function.DoublePredicate ok, String fmt,
                          String pairGroup, String pairInput) {
        Stat[] stats = {this::avg, this::p50, this::best};
        String[] names = {"mean", "p50", "fastest"};
        StringBuilder measured = new StringBuilder();
        StringBuilder verdict = new StringBuilder();
        for (int i = 0; i < stats.length; i++) {
            Double r = ratio(stats[i].of(ka, a), stats[i].of(kb, b));
            if (r == null) {
                continue;
            }
            measured.append(measured.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, fmt, r)).append(" ").append(names[i]);
            verdict.append(verdict.length() == 0 ? "" : ", ").append(ok.test(r) ? "met" : "**missed**").append(" (").append(names[i]).append(")");
        }
        Double pr = pairGroup == null ? null : paired(pairGroup, pairInput);
        if (pr != null) {
            measured.insert(0, pairedText(pairGroup, pairInput) + "; ");
            verdict.insert(0, (ok.test(pr) ? "**met** (side by side)" : "**missed** (side by side)") + "; ");
        }
        s.append("| ").append(target).append(" | ").append(measured.length() == 0 ? "not measured" : measured).append(" | ")
                .append(verdict.length() == 0 ? "—" : verdict).append(" |\n");
    }

    private void targets(StringBuilder s) {
        for (String size : SIZES) {
            Key k = student(size);
            ratioRow(s, "edgekd (preprocessed) ≤ 1.03x the floor, " + size, k, "edgekd", k, "floor", r -> r <= 1.03, "%.3fx", "runtime", size);
        }
        for (String size : SIZES) {
            Key k = student(size);
            Double e = bytes(k, "edgekd");
            Double f = bytes(k, "floor");
            row(s, "heap ≤ floor + 64 B/frame, " + size, e == null || f == null ? null : b(e) + " vs " + b(f) + " B", e == null || f == null ? null : e <= f + 64);
        }
        for (String size : SIZES) {
            Key k = student(size);
            Double d = direct(k, "edgekd");
            Double d2 = direct(k, "edgekdFrame");
            Double d3 = direct(k, "edgekdFrameFused");
            row(s, "zero direct memory per frame, " + size, d == null ? null : b(d) + " B (preprocessed), " + b(d2) + " B (frame), " + b(d3) + " B (fused frame)",
                    d == null ? null : d == 0 && (d2 == null || d2 == 0) && (d3 == null || d3 == 0));
        }
        ratioRow(s, "edgekd ≤ 0.8x DJL at 1x28x28", student("1x28x28"), "edgekd", student("1x28x28"), "djl", r -> r <= 0.8, "%.2fx", "djl", "1x28x28");
        ratioRow(s, "edgekd ≤ 0.6x DJL at 3x224x224", student("3x224x224"), "edgekd", student("3x224x224"), "djl", r -> r <= 0.6, "%.2fx", "djl", "3x224x224");
        for (String size : SIZES) {
            ratioRow(s, "edgekd ≤ 0.01x DL4J, " + size, student(size), "edgekd", student(size), "dl4j", r -> r <= 0.01, "%.4fx", "dl4j", size);
        }
        Key k224 = student("3x224x224");
        for (String col : List.of("edgekdFrame", "edgekdFrameFused")) {
            StringBuilder measured = new StringBuilder();
            StringBuilder verdict = new StringBuilder();
            Stat[] stats = {this::avg, this::p50, this::best};
            String[] names = {"mean", "p50", "fastest"};
            for (int i = 0; i < stats.length; i++) {
                Double f = stats[i].of(k224, col);
                Double floor = stats[i].of(k224, "floor");
                if (f == null || floor == null) {
                    continue;
                }
                double over = (f - floor) / 1000;
                measured.append(measured.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+.3f ms", over)).append(" ").append(names[i]);
                verdict.append(verdict.length() == 0 ? "" : ", ").append(over <= 0.3 ? "met" : "**missed**").append(" (").append(names[i]).append(")");
            }
            String group = col.endsWith("Fused") ? "frameFused" : "frame";
            Double pd = pairedDifference(group, "3x224x224");
            if (pd != null) {
                measured.insert(0, String.format(Locale.ROOT, "%+.3f ms side by side; ", pd / 1000));
                verdict.insert(0, (pd / 1000 <= 0.3 ? "**met** (side by side)" : "**missed** (side by side)") + "; ");
            }
            s.append("| raw 640x480 BGR frame → top-k ≤ floor + 0.3 ms at 3x224x224 (").append(col.endsWith("Fused") ? "fused" : "Java")
                    .append(" preprocessing) | ").append(measured.length() == 0 ? "not measured" : "floor " + measured).append(" | ")
                    .append(verdict.length() == 0 ? "—" : verdict).append(" |\n");
        }
        for (String size : List.of("1x28x28", "3x224x224")) {
            ratioRow(s, "latency at 10 classes ÷ at 2 classes = 1.00 ± 0.03, " + size, new Key("student", size, 10, 1), "edgekd",
                    new Key("student", size, 2, 1), "edgekd", r -> Math.abs(r - 1) <= 0.03, "%.3fx", "classes", size);
        }
        for (int t : new int[] {1, 2, 4}) {
            ratioRow(s, "default student at 3x224x224 ≤ 0.32x MobileNetV2, same run, " + t + " thread" + (t > 1 ? "s" : ""),
                    new Key("student", "3x224x224", 10, t), "edgekd", mobilenet(t), "edgekd", r -> r <= 0.32, "%.3fx",
                    t == 1 ? "reference" : null, "3x224x224");
        }
        Map<String, Double> p96 = predicted("3x96x96");
        row(s, "default student at 3x96x96 predicted ≤ 10 ms on a Pi 4 (a prediction)", p96 == null ? null : String.format(Locale.ROOT, "%.1f ms", p96.get("pi4")),
                p96 == null ? null : p96.get("pi4") <= 10);
        Map<String, Double> p224 = predicted("3x224x224");
        row(s, "default student at 3x224x224 predicted ≤ 20 ms on a Pi 4 (a prediction)", p224 == null ? null : String.format(Locale.ROOT, "%.1f ms", p224.get("pi4")),
                p224 == null ? null : p224.get("pi4") <= 20);
        int8Targets(s);
    }

    /** Int8 against float32, same model and run: the mean of {@code classifyPreprocessed}, and the file sizes. */
    private void int8Section(StringBuilder s) {
        List<Key> keys = cells.keySet().stream().filter(k -> cell(k, "edgekdInt8") != null || cell(k, "edgekdInt8Unsigned") != null).toList();
        if (keys.isEmpty()) {
            return;
        }
        s.append("\n## Int8 against float32 (`classifyPreprocessed`, means)\n\n")
                .append("Int8: the default int8 export (symmetric int8 activations, zero point 0, per-channel int8 weights: the form ")
                .append("TensorRT takes). Unsigned: `--int8-activations unsigned` (uint8 activations, rectifiers folded into the ")
                .append("convolutions: ONNX Runtime's CPU provider only). Calibrated on 64 synthetic images (speed depends on the ")
                .append("kernels, not on the scales); accuracy is measured elsewhere (docs/benchmarks/precision.md).\n\n")
                .append("Float32 here is `classifyPreprocessed` on the float32 file in the same JMH invocation as the int8 files ")
                .append("(`int8Float32Us` in summary.json), so that both sides see the same minutes of the machine's load.\n\n")
                .append("| model | input | threads | float32 ms | int8 ms | speed-up | unsigned int8 ms | speed-up | float32 bytes | int8 bytes | smaller |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Key k : keys) {
            Double f = int8Reference(k);
            Double q = avg(k, "edgekdInt8");
            Double u = avg(k, "edgekdInt8Unsigned");
            Long fb = fileBytes(k, "float32");
            Long qb = fileBytes(k, "int8");
            s.append("| ").append(k.model()).append(" | ").append(k.input()).append(" | ").append(k.threads()).append(" | ").append(ms(f))
                    .append(" | ").append(ms(q)).append(" | ").append(x(ratio(f, q))).append(" | ").append(ms(u)).append(" | ")
                    .append(x(ratio(f, u))).append(" | ").append(fb == null ? "—" : String.format(Locale.ROOT, "%,d", fb)).append(" | ")
                    .append(qb == null ? "—" : String.format(Locale.ROOT, "%,d", qb)).append(" | ")
                    .append(fb == null || qb == null ? "—" : String.format(Locale.ROOT, "%.2fx", fb / (double) qb)).append(" |\n");
        }
    }

    /** @return float32 µs to compare int8 with: from the int8 comparison's own invocation where it ran, else the mean */
    private Double int8Reference(Key k) {
        Double same = avg(k, "edgekdInt8Float32");
        return same != null ? same : avg(k, "edgekd");
    }

    /** The int8 targets: the default student at 3x224x224, 1 and 2 threads. */
    private void int8Targets(StringBuilder s) {
        for (int t : new int[] {1, 2}) {
            Key k = new Key("student", "3x224x224", 10, t);
            Double f = int8Reference(k);
            Double q = avg(k, "edgekdInt8");
            Double u = avg(k, "edgekdInt8Unsigned");
            Double rq = ratio(f, q);
            Double ru = ratio(f, u);
            row(s, "int8 ≥ 1.5x faster than float32, default student at 3x224x224, " + t + " thread" + (t > 1 ? "s" : ""),
                    rq == null ? null : String.format(Locale.ROOT, "%.2fx (unsigned activations: %s)", rq, ru == null ? "not measured"
                            : String.format(Locale.ROOT, "%.2fx", ru)), rq == null ? null : rq >= 1.5);
        }
        Key k = new Key("student", "3x224x224", 10, 1);
        Long fb = fileBytes(k, "float32");
        Long qb = fileBytes(k, "int8");
        row(s, "int8 file ≥ 3.5x smaller, default student at 3x224x224", fb == null || qb == null ? null
                : String.format(Locale.ROOT, "%.2fx (%,d → %,d bytes)", fb / (double) qb, fb, qb), fb == null || qb == null ? null : fb >= 3.5 * qb);
    }

    private static void row(StringBuilder s, String target, String measured, Boolean met) {
        s.append("| ").append(target).append(" | ").append(Objects.requireNonNullElse(measured, "not measured")).append(" | ")
                .append(met == null ? "—" : met ? "met" : "**missed**").append(" |\n");
    }

    // ---------------------------------------------------------------- chart

    private void chart(Path png, String machine) throws IOException {
        List<String> xs = new ArrayList<>();
        List<Key> keys = new ArrayList<>();
        for (String size : SIZES) {
            if (cells.containsKey(student(size))) {
                xs.add("student " + size);
                keys.add(student(size));
            }
        }
        if (cells.containsKey(mobilenet(1))) {
            xs.add("MobileNetV2 3x224x224");
            keys.add(mobilenet(1));
        }
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(560)
                .title("median ms per frame, 1 thread, " + machine + " (log scale; lower is better)").xAxisTitle("model and input").yAxisTitle("ms").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setOverlapped(false);
        Map<String, String> series = new LinkedHashMap<>();
        series.put("edgekd", "edgekd (preprocessed)");
        series.put("edgekdFrame", "edgekd, raw 640x480 frame");
        series.put("floor", "floor (pinned ORT)");
        series.put("ortUsual", "ORT the usual way");
        series.put("djl", "DJL 0.38");
        series.put("opencv", "OpenCV DNN");
        series.put("dl4j", "DL4J output()");
        for (Map.Entry<String, String> e : series.entrySet()) {
            // Each series holds only the categories it was measured at (a missing value cannot go on a log axis).
            List<String> sx = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                // Medians: on a loaded machine the means carry seconds-long stalls from other processes.
                Double v = p50(keys.get(i), e.getKey());
                if (v == null) {
                    v = avg(keys.get(i), e.getKey());
                }
                if (v != null) {
                    sx.add(xs.get(i));
                    ys.add(v / 1000);
                }
            }
            if (!ys.isEmpty()) {
                chart.addSeries(e.getValue(), sx, ys);
            }
        }
        // Bars start at the axis minimum: a log axis needs an explicit one (a decade below the fastest bar).
        double lowest = chart.getSeriesMap().values().stream().flatMap(cs -> cs.getYData().stream())
                .mapToDouble(Number::doubleValue).min().orElse(1);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lowest))));
        java.awt.image.BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(png.toAbsolutePath(), tmp -> {
            if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
