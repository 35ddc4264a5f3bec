package io.edgekd.train.cli;

import io.edgekd.core.io.AtomicFiles;
import io.edgekd.core.spec.ModelSpec;

import io.edgekd.core.metrics.Evaluation;
import io.edgekd.core.network.NetworkCost;
import io.edgekd.train.data.DataSource;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.network.Dl4jNetworks;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.UnsupportedLayerException;
import io.edgekd.train.report.Charts;
import io.edgekd.train.training.TrainingResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the training commands share: output checks and the printed summary. */
final class Commands {
    private Commands() {
    }

    static void checkOutput(Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(out.toString(), null, "expected an existing folder for --out, found none: " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("--out " + out + ": expected a writable folder, found a read-only one: " + dir);
        }
    }

    /**
     * @param file a .properties file of edgekd.* keys (the same keys as an exported model's ONNX metadata)
     * @return the spec it describes
     * @throws IOException when it cannot be read or does not describe a spec
     */
    static ModelSpec readSpec(Path file) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
            p.load(r);
        }
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        try {
            return ModelSpec.fromMetadata(m);
        } catch (io.edgekd.core.spec.ModelSpecException e) {
            throw new IOException(file + ": expected a model spec (edgekd.* keys), found: " + e.getMessage(), e);
        }
    }

    static void summarise(String name, DataOptions.Loaded d, TrainingResult r, Path out, Path report)
            throws IOException, UnsupportedLayerException {
        var spec = r.model().spec();
        NetworkCost cost = Dl4jNetworks.cost(r.model().network(), new InputShape(spec.channels(), spec.height(), spec.width()));
        Evaluation test = Dl4jEvaluator.evaluate(r.model(), d.test(), 256);
        System.out.printf(Locale.ROOT, "%s on %s: validation accuracy %.4f (log loss %.4f), test accuracy %.4f (log loss %.4f)%n",
                name, d.name(), r.validation().accuracy(), r.validation().logLoss(), test.accuracy(), test.logLoss());
        System.out.printf(Locale.ROOT, "  %d epochs (best %d%s), %d iterations, %.1f min training (%.0f images/s), %,d parameters, %.2f M MACs/image%n",
                r.epochs(), r.bestEpoch(), r.stoppedEarly() ? ", stopped early" : "", r.iterations(), r.fitSeconds() / 60,
                r.imagesPerSecond(), cost.totalParams(), cost.totalMacs() / 1e6);
        if (!r.transferredLayers().isEmpty()) {
            System.out.println("  transferred from the teacher: " + String.join(", ", r.transferredLayers()));
        }
        System.out.println("saved " + out);
        if (report != null) {
            Files.createDirectories(report);
            String slug = DataSource.slug(name);
            AtomicFiles.writeString(report.resolve(slug + "-curve.csv"), r.curve().toCsv());
            Charts.learningCurves(name, List.of(r.curve()), report.resolve(slug + "-curve.png"));
            Charts.confusionMatrix(name + " on the test split", test.confusion(), report.resolve("confusion-" + slug + ".png"));
            System.out.println("report in " + report);
        }
    }
}
