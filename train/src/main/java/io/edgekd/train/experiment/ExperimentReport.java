package io.edgekd.train.experiment;

import io.edgekd.core.metrics.PairedDifference;
import java.util.Optional;

import io.edgekd.core.io.AtomicFiles;
import io.edgekd.train.report.Json;
import io.edgekd.train.report.Machine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an experiment's {@code report.md} and {@code report.json}: Jaiswal &amp; Gajjar's Table I analogue per
 * task (teacher against students: accuracy, log loss, iterations, minutes, size, speed) and, when there are tasks
 * of several class counts, the Table III analogue (student speed against number of classes).
 *
 * <p>Thread safety: stateless.
 */
public final class ExperimentReport {
    /** The paper's Table I, for the reader's comparison (Caffe, Dogs vs. Cats, GTX 770 / 1080 Ti). */
    static final String PAPER_TABLE_I = """
            Jaiswal & Gajjar's Table I (Caffe, Dogs vs. Cats; their numbers, not ours): teacher trained from scratch 75% accuracy,
            1500 iterations, 155 minutes, log loss 8.9; student by transfer learning 95%, 1000 iterations, 110 minutes, log loss 1.1.""";

    private ExperimentReport() {
    }

    /**
     * @param out     folder
     * @param title   report title
     * @param command the command that produced it
     * @param data    what data it used
     * @param tasks   the tasks' results
     * @param seconds total wall time
     * @return the Markdown text written
     * @throws IOException if a file cannot be written
     */
    public static String write(Path out, String title, String command, String data, List<Experiment.TaskResult> tasks, double seconds)
            throws IOException {
        RunStore.Claim writing = new RunStore(out).outputs("report"); // processes sharing the folder write one at a time
        try {
            return writeReport(out, title, command, data, tasks, seconds);
        } finally {
            writing.close();
        }
    }

    /** @return the training steps' seconds of every run of the tasks, wherever and in however many parts they ran */
    static double computeSeconds(List<Experiment.TaskResult> tasks) {
        return tasks.stream().flatMap(t -> t.models().stream()).flatMap(m -> m.runs().stream())
                .mapToDouble(r -> r.training().fitSeconds()).sum();
    }

    private static String writeReport(Path out, String title, String command, String data, List<Experiment.TaskResult> tasks, double seconds)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("- Machine: ").append(Machine.oneLine()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Data: ").append(data).append('\n');
        double compute = computeSeconds(tasks);
        long runs = tasks.stream().flatMap(t -> t.models().stream()).mapToLong(m -> m.runs().size()).sum();
        md.append(String.format(Locale.ROOT, "- Total time: %.1f minutes (this invocation's wall clock); training compute: %.2f hours over "
                + "%d runs (their training steps' seconds, summed over every process and resume that trained them; validation, a "
                + "distilled run's teacher outputs computed before its first epoch, evaluation and export excluded)%n", seconds / 60, compute / 3600, runs));
        md.append("- Accuracy and log loss are on the test split: for students, the mean (± standard deviation) over the seeds, each seed "
                + "giving every student arm the same initial weights and data order; training minutes exclude validation; edge ms/frame "
                + "is a rough in-process figure (the edge runtime classifying raw 8-bit frames one at a time on one thread, median of 5 "
                + "passes, right after training; the JMH benchmarks are the measurement); ONNX = DL4J is the share of test images whose "
                + "top class is the same in both, for the exported model (the first seed's).\n\n");
        for (Experiment.TaskResult t : tasks) {
            md.append("## Table I analogue: ").append(t.name()).append("\n\n");
            md.append(String.format(Locale.ROOT, "%d classes (%s); %,d training images, %,d test images. \"Iterations to %.1f%%\" counts "
                            + "minibatches until the validation accuracy first reached %.1f%% (98%% of the validation accuracy of the %s%s), "
                            + "averaged over the seeds that reached it.%n%n",
                    t.classes().size(), String.join(", ", t.classes()), t.trainExamples(), t.testExamples(), 100 * t.targetAccuracy(),
                    100 * t.targetAccuracy(), t.targetOf().title(), t.targetOf() == ModelResult.Kind.STUDENT ? "" : ", as this task trains no student alone"));
            md.append(String.format(Locale.ROOT,
                    "| model | seeds | accuracy (%%) | log loss | iterations | iterations to %.1f%% | train min | parameters | MACs | edge ms/frame, rough (FPS) | DL4J ms/frame | ONNX = DL4J |%n",
                    100 * t.targetAccuracy()));
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (ModelResult m : t.models()) {
                int n = m.runs().size();
                String acc = n > 1 ? String.format(Locale.ROOT, "%.2f ± %.2f", 100 * m.accuracy(), 100 * m.accuracySd())
                        : String.format(Locale.ROOT, "%.2f", 100 * m.accuracy());
                String reach = m.seedsReachingTarget() == 0 ? "not reached"
                        : String.format(Locale.ROOT, "%,.0f%s", m.iterationsToTarget(), m.seedsReachingTarget() < n
                        ? " (" + m.seedsReachingTarget() + " of " + n + " seeds)" : "");
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.4f | %,d | %s | %.1f | %,d | %.2f M | %.4f (%,.0f) | %.3f | %.4f |%n",
                        m.kind().title(), n, acc, m.logLoss(), m.training().iterations(), reach, m.trainSeconds() / 60,
                        m.cost().totalParams(), m.cost().totalMacs() / 1e6, m.edge().edgeMsPerFrame(),
                        1000 / m.edge().edgeMsPerFrame(), m.edge().dl4jMsPerFrame(), m.edge().agreement()));
            }
            md.append('\n');
            ModelResult teacher = t.model(ModelResult.Kind.TEACHER);
            ModelResult alone = t.model(ModelResult.Kind.STUDENT);
            ModelResult kd = t.model(ModelResult.Kind.STUDENT_KD);
            ModelResult kdt = t.model(ModelResult.Kind.STUDENT_KD_TRANSFER);
            ModelResult best = kdt != null ? kdt : kd;
            if (teacher != null && best != null) {
                md.append(String.format(Locale.ROOT, "The %s keeps %.1f%% of the teacher's accuracy with %.1f%% of its multiply-accumulates "
                                + "(%.1fx fewer) and %.1f%% of its parameters.",
                        best.kind().title(), 100 * best.accuracy() / teacher.accuracy(),
                        100.0 * best.cost().totalMacs() / teacher.cost().totalMacs(),
                        (double) teacher.cost().totalMacs() / best.cost().totalMacs(),
                        100.0 * best.cost().totalParams() / teacher.cost().totalParams()));
                if (alone != null) {
                    md.append(' ').append(gainSentence(t, best, alone));
                }
                md.append("\n\n");
            }
            md.append("Learning curves (every seed drawn, one colour per arm): `").append(t.learningCurvesFile()).append("`; confusion matrices: `confusion-")
                    .append(t.prefix()).append("*.png`.\n\n");
        }
        md.append(PAPER_TABLE_I).append("\n\n");

        List<Map<String, Object>> tableIII = tableIII(tasks);
        if (tableIII.size() > 1) {
            md.append("## Table III analogue: does speed depend on the number of classes?\n\n");
            md.append("The distilled students, one task per class count (the first in the report of each), one frame at a time in the edge runtime.\n\n");
            md.append("| task | classes | student accuracy (%) | edge ms/frame | FPS | DL4J ms/frame | MACs |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (Map<String, Object> row : tableIII) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.4f | %,.0f | %.3f | %.2f M |%n", row.get("task"), row.get("classes"),
                        100 * (double) row.get("accuracy"), (double) row.get("edgeMsPerFrame"), 1000 / (double) row.get("edgeMsPerFrame"),
                        (double) row.get("dl4jMsPerFrame"), ((Number) row.get("macs")).longValue() / 1e6));
            }
            double min = tableIII.stream().mapToDouble(r -> (double) r.get("edgeMsPerFrame")).min().orElse(Double.NaN);
            double max = tableIII.stream().mapToDouble(r -> (double) r.get("edgeMsPerFrame")).max().orElse(Double.NaN);
            long macsLow = tableIII.stream().mapToLong(r -> ((Number) r.get("macs")).longValue()).min().orElse(0);
            long macsHigh = tableIII.stream().mapToLong(r -> ((Number) r.get("macs")).longValue()).max().orElse(0);
            md.append(String.format(Locale.ROOT, "%nAcross %d to %d classes the time per frame ranges from %.4f to %.4f ms (a factor of %.2f), "
                            + "while the arithmetic differs by %.2f%% (only the last layer depends on the class count). The paper's Table III "
                            + "times range from 0.663 s to 0.007 s per image across tasks whose class counts barely differ.%n%n",
                    (int) tableIII.get(0).get("classes"), (int) tableIII.get(tableIII.size() - 1).get("classes"), min, max, max / min,
                    100.0 * (macsHigh - macsLow) / macsLow));
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", title);
        json.put("command", command);
        json.put("machine", Machine.describe());
        json.put("data", data);
        json.put("seconds", seconds);
        json.put("computeSeconds", compute);
        List<Map<String, Object>> taskJson = new ArrayList<>();
        List<Map<String, Object>> models = new ArrayList<>();
        for (Experiment.TaskResult t : tasks) {
            Map<String, Object> tj = new LinkedHashMap<>();
            tj.put("name", t.name());
            tj.put("classes", t.classes());
            tj.put("targetAccuracy", t.targetAccuracy());
            tj.put("trainExamples", t.trainExamples());
            tj.put("testExamples", t.testExamples());
            t.kdGain().ifPresent(g -> tj.put("kdGain", gainJson(g)));
            taskJson.add(tj);
            for (ModelResult m : t.models()) {
                models.add(m.toJson());
            }
        }
        if (!tasks.isEmpty()) {
            tasks.get(0).kdGain().ifPresent(g -> json.put("kdGain", gainJson(g)));
        }
        json.put("tasks", taskJson);
        json.put("models", models);
        if (tableIII.size() > 1) {
            json.put("tableIII", tableIII);
        }
        AtomicFiles.writeString(out.resolve("report.md"), md.toString());
        AtomicFiles.writeString(out.resolve("report.json"), Json.write(json));
        return md.toString();
    }

    /** The paired gain in words, claiming no more than its interval supports. */
    static String gainSentence(Experiment.TaskResult t, ModelResult best, ModelResult alone) {
        StringBuilder b = new StringBuilder();
        Optional<PairedDifference> gain = t.kdGain();
        if (gain.isPresent()) {
            PairedDifference g = gain.get();
            b.append("Against the same student trained alone, paired by seed: ").append(g.describe(100, " points of accuracy")).append(", ");
            if (g.supportsGain()) {
                b.append("a gain the interval supports");
            } else if (g.supportsLoss()) {
                b.append("a loss the interval supports");
            } else if (g.n() > 1) {
                b.append("an interval that includes zero: no gain or loss is shown at this number of seeds");
            } else {
                b.append("one seed, which cannot show a gain or a loss");
            }
            b.append(String.format(Locale.ROOT, "; worst single seed %+.2f points; log loss %+.4f on the mean", 100 * g.minimum(),
                    best.logLoss() - alone.logLoss()));
        }
        if (best.seedsReachingTarget() > 0 && alone.seedsReachingTarget() > 0) {
            b.append(String.format(Locale.ROOT, "; %,.0f against %,.0f iterations to %.1f%% (%.2fx)", best.iterationsToTarget(),
                    alone.iterationsToTarget(), 100 * t.targetAccuracy(), best.iterationsToTarget() / alone.iterationsToTarget()));
        }
        return b.append('.').toString();
    }

    static Map<String, Object> gainJson(PairedDifference g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", g.mean());
        m.put("low", Double.isNaN(g.low()) ? null : g.low());
        m.put("high", Double.isNaN(g.high()) ? null : g.high());
        m.put("seeds", g.n());
        m.put("sd", Double.isNaN(g.sd()) ? null : g.sd());
        m.put("minimum", g.minimum());
        return m;
    }

    private static List<Map<String, Object>> tableIII(List<Experiment.TaskResult> tasks) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Experiment.TaskResult t : tasks) {
            ModelResult s = t.model(ModelResult.Kind.STUDENT_KD_TRANSFER);
            if (s == null) {
                s = t.model(ModelResult.Kind.STUDENT_KD);
            }
            if (s == null || rows.stream().anyMatch(r -> r.get("classes").equals(t.classes().size()))) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("task", t.name());
            row.put("classes", t.classes().size());
            row.put("model", s.name());
            row.put("accuracy", s.accuracy());
            row.put("edgeMsPerFrame", s.edge().edgeMsPerFrame());
            row.put("dl4jMsPerFrame", s.edge().dl4jMsPerFrame());
            row.put("macs", s.cost().totalMacs());
            rows.add(row);
        }
        rows.sort((a, b) -> Integer.compare((int) a.get("classes"), (int) b.get("classes")));
        return rows;
    }
}
