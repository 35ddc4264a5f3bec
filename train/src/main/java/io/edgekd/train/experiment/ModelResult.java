package io.edgekd.train.experiment;

import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.network.NetworkCost;
import io.edgekd.train.training.TrainingResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One arm of an experiment (a way of training a model), trained once per seed, with the first seed's model exported
 * and measured. Accuracy and log loss are means over the seeds; the per-seed figures stay available for paired
 * comparisons.
 *
 * <p>Thread safety: immutable.
 *
 * @param name    model name, e.g. {@code student-kd-transfer}
 * @param kind    how it was trained
 * @param task    the task's name
 * @param classes the task's classes
 * @param runs    one run per seed, in seed order
 * @param cost    parameters and multiply-accumulates
 * @param onnx    the exported file (the first seed's model)
 * @param edge    the edge-runtime measurement of that file
 */
public record ModelResult(String name, Kind kind, String task, List<String> classes, List<SeedRun> runs, NetworkCost cost, Path onnx,
                          EdgeMeasurement edge) {
    /**
     * One seed's run of an arm.
     *
     * @param seed               the seed (initial weights, data order, augmentation, dropout)
     * @param training           the training result
     * @param test               the test-split metrics
     * @param iterationsToTarget minibatches until the validation accuracy first reached the task's target, -1 if never
     */
    public record SeedRun(long seed, TrainingResult training, Evaluation test, long iterationsToTarget) {
    }

    /** Validates and copies. */
    public ModelResult {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("runs: expected at least one seed's run, found none");
        }
    }

    /** What was trained. */
    public enum Kind {
        /** The teacher. */
        TEACHER("teacher", "teacher"),
        /** The student without a teacher: the baseline. */
        STUDENT("student", "student alone"),
        /** The student by distillation. */
        STUDENT_KD("student-kd", "student, distilled"),
        /** The student by distillation, starting from the teacher's stem. */
        STUDENT_KD_TRANSFER("student-kd-transfer", "student, distilled + transfer");

        private final String fileName;
        private final String title;

        Kind(String fileName, String title) {
            this.fileName = fileName;
            this.title = title;
        }

        /** @return the stem of its file names */
        public String fileName() {
            return fileName;
        }

        /** @return its name in reports */
        public String title() {
            return title;
        }
    }

    /** @return "teacher" or "student" */
    public String role() {
        return kind == Kind.TEACHER ? "teacher" : "student";
    }

    /** @return the first seed's run: the one exported, timed and drawn as a confusion matrix */
    public SeedRun representative() {
        return runs.get(0);
    }

    /** @return the representative run's training */
    public TrainingResult training() {
        return representative().training();
    }

    /** @return the representative run's test metrics */
    public Evaluation test() {
        return representative().test();
    }

    /** @return the seeds, in order */
    public List<Long> seeds() {
        return runs.stream().map(SeedRun::seed).toList();
    }

    /** @return the test accuracy of each seed's run, in seed order */
    public double[] accuracies() {
        return runs.stream().mapToDouble(r -> r.test().accuracy()).toArray();
    }

    /** @return the validation accuracy of each seed's returned model, in seed order (what recipes are chosen on) */
    public double[] validationAccuracies() {
        return runs.stream().mapToDouble(r -> r.training().validation().accuracy()).toArray();
    }

    /** @return mean test accuracy over the seeds */
    public double accuracy() {
        return mean(accuracies());
    }

    /** @return sample standard deviation of the test accuracy over the seeds (0 for one seed) */
    public double accuracySd() {
        return sd(accuracies());
    }

    /** @return mean test log loss over the seeds */
    public double logLoss() {
        return mean(runs.stream().mapToDouble(r -> r.test().logLoss()).toArray());
    }

    /** @return mean minibatches to the target over the seeds that reached it, -1 when none did */
    public double iterationsToTarget() {
        double[] reached = runs.stream().mapToLong(SeedRun::iterationsToTarget).filter(v -> v >= 0).asDoubleStream().toArray();
        return reached.length == 0 ? -1 : mean(reached);
    }

    /** @return how many seeds' runs reached the target */
    public int seedsReachingTarget() {
        return (int) runs.stream().filter(r -> r.iterationsToTarget() >= 0).count();
    }

    /** @return mean training seconds over the seeds */
    public double trainSeconds() {
        return mean(runs.stream().mapToDouble(r -> r.training().fitSeconds()).toArray());
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    /** @return the report.json object */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("role", role());
        m.put("method", kind.title());
        m.put("task", task);
        m.put("classes", classes);
        m.put("accuracy", accuracy());
        m.put("accuracySd", accuracySd());
        m.put("seeds", seeds());
        m.put("accuracies", java.util.Arrays.stream(accuracies()).boxed().toList());
        m.put("logLoss", logLoss());
        m.put("macroF1", test().confusion().macroF1());
        m.put("validationAccuracy", mean(validationAccuracies()));
        m.put("validationAccuracies", java.util.Arrays.stream(validationAccuracies()).boxed().toList());
        m.put("iterations", training().iterations());
        m.put("iterationsToTarget", iterationsToTarget());
        List<Long> perSeed = new ArrayList<>();
        for (SeedRun r : runs) {
            perSeed.add(r.iterationsToTarget());
        }
        m.put("iterationsToTargetPerSeed", perSeed);
        m.put("epochs", training().epochs());
        m.put("trainSeconds", trainSeconds());
        m.put("wallSeconds", mean(runs.stream().mapToDouble(r -> r.training().wallSeconds()).toArray()));
        m.put("teacherSeconds", mean(runs.stream().mapToDouble(r -> r.training().teacherSeconds()).toArray()));
        m.put("trainImagesPerSecond", mean(runs.stream().mapToDouble(r -> r.training().imagesPerSecond()).toArray()));
        m.put("params", cost.totalParams());
        m.put("macs", cost.totalMacs());
        m.put("edgeMsPerFrame", edge.edgeMsPerFrame());
        m.put("edgeFps", 1000.0 / edge.edgeMsPerFrame());
        m.put("edgeTiming", EdgeMeasurement.TIMING);
        m.put("dl4jMsPerFrame", edge.dl4jMsPerFrame());
        m.put("onnxAgreement", edge.agreement());
        m.put("onnxMaxProbabilityDifference", edge.maxProbDiff());
        m.put("onnxFile", onnx.getFileName().toString());
        m.put("onnxSeed", representative().seed());
        m.put("transferredLayers", training().transferredLayers());
        return m;
    }
}
