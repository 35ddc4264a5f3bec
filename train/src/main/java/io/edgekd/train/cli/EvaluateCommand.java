package io.edgekd.train.cli;

import io.edgekd.core.metrics.ConfusionMatrix;
import io.edgekd.core.metrics.Evaluation;
import io.edgekd.train.data.DataSource;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.report.Charts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code edgekd-train evaluate}: scores a saved model on a dataset's test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model: accuracy, log loss, confusion matrix, per-class precision, recall and F1.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "a model saved by edgekd-train (.zip)")
    Path model;

    @Option(names = "--split", defaultValue = "test", description = "test, validation or train (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--report", paramLabel = "DIR", description = "write the confusion matrix (PNG) here")
    Path report;

    @Option(names = {"-q", "--quiet"}, description = "no progress output")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        TrainedModel m = TrainedModel.load(model);
        DataOptions.Loaded d = data.load(quiet);
        var set = switch (split) {
            case "test" -> d.test();
            case "validation" -> d.validation();
            case "train" -> d.train();
            default -> throw new IllegalArgumentException("--split: expected test, validation or train, found " + split);
        };
        Evaluation e = Dl4jEvaluator.evaluate(m, set, 256);
        ConfusionMatrix cm = e.confusion();
        System.out.printf(Locale.ROOT, "%s on %s (%s split, %d images): accuracy %.4f, log loss %.4f, macro F1 %.4f%n",
                model.getFileName(), d.name(), split, e.count(), e.accuracy(), e.logLoss(), cm.macroF1());
        System.out.print(cm.toTable());
        if (report != null) {
            Files.createDirectories(report);
            Path png = report.resolve("confusion-" + DataSource.slug(model.getFileName().toString().replaceFirst("\\.zip$", "")) + ".png");
            Charts.confusionMatrix(model.getFileName() + " on the " + split + " split", cm, png);
            System.out.println("wrote " + png);
        }
        return 0;
    }
}
