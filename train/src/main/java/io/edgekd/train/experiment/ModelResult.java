package io.edgekd.train.experiment;

import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.network.NetworkCost;
import io.edgekd.train.training.TrainingResult;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trained, exported and measured model of an experiment.
 *
 * @param name               model name, e.g. {@code student-kd-transfer}
 * @param kind               how it was trained
 * @param task               the task's name
 * @param classes            the task's classes
 * @param training           the training run
 * @param test               its evaluation on the test split (DL4J)
 * @param cost               parameters and multiply-accumulates
 * @param onnx               the exported file
 * @param edge               the edge-runtime measurement
 * @param iterationsToTarget iterations until the validation accuracy first reached the task's target, -1 if never
 */
public record ModelResult(String name, Kind kind, String task, List<String> classes, TrainingResult training, Evaluation test,
                          NetworkCost cost, Path onnx, EdgeMeasurement edge, long iterationsToTarget) {

    /** How a model of an experiment is trained. */
    public enum Kind {
        /** The teacher, from scratch. */
        TEACHER("teacher", "teacher"),
        /** The student from labels alone. */
        STUDENT("student", "student alone"),
        /** The student by knowledge distillation from the teacher. */
        STUDENT_KD("student-kd", "student, distilled"),
        /** The student by distillation, starting from the teacher's stem. */
        STUDENT_KD_TRANSFER("student-kd-transfer", "student, distilled + transfer");

        private final String fileName;
        private final String title;

        Kind(String fileName, String title) {
            this.fileName = fileName;
            this.title = title;
        }

        /** @return the base name of the model's files */
        public String fileName() {
            return fileName;
        }

        /** @return a human title */
        public String title() {
            return title;
        }
    }

    /** @return the role written into reports: teacher or student */
    public String role() {
        return kind == Kind.TEACHER ? "teacher" : "student";
    }

    /** @return the figures of report.json, in a stable order */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("role", role());
        m.put("method", kind.title());
        m.put("task", task);
        m.put("classes", classes);
        m.put("accuracy", test.accuracy());
        m.put("logLoss", test.logLoss());
        m.put("macroF1", test.confusion().macroF1());
        m.put("validationAccuracy", training.validation().accuracy());
        m.put("iterations", training.iterations());
        m.put("iterationsToTarget", iterationsToTarget);
        m.put("epochs", training.epochs());
        m.put("trainSeconds", training.fitSeconds());
        m.put("wallSeconds", training.wallSeconds());
        m.put("teacherSeconds", training.teacherSeconds());
        m.put("trainImagesPerSecond", training.imagesPerSecond());
        m.put("params", cost.totalParams());
        m.put("macs", cost.totalMacs());
        m.put("edgeMsPerFrame", edge.edgeMsPerFrame());
        m.put("edgeFps", 1000.0 / edge.edgeMsPerFrame());
        m.put("dl4jMsPerFrame", edge.dl4jMsPerFrame());
        m.put("onnxAgreement", edge.agreement());
        m.put("onnxMaxProbabilityDifference", edge.maxProbDiff());
        m.put("onnxFile", onnx.getFileName().toString());
        m.put("transferredLayers", training.transferredLayers());
        return m;
    }
}
