package io.edgekd.train.cli;

import io.edgekd.core.spec.ModelRole;
import io.edgekd.train.network.TeacherNetwork;
import io.edgekd.train.training.SupervisedTrainer;
import io.edgekd.train.training.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code edgekd-train teacher}: trains a teacher network and saves it. */
@Command(name = "teacher", mixinStandardHelpOptions = true, description = "Train a teacher network on a dataset and save it.")
public final class TeacherCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    TrainingFlags training;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to save the model (.zip)")
    Path out;

    @Option(names = "--stem", defaultValue = "32", description = "stem filters, shared with the student (default: ${DEFAULT-VALUE})")
    int stem;

    @Option(names = "--width", defaultValue = "1.0", description = "channel multiplier of the stages (default: ${DEFAULT-VALUE})")
    double width;

    @Option(names = "--dropout", defaultValue = "0.3", description = "dropout before and after the dense layer (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--report", paramLabel = "DIR", description = "write the learning curve (CSV, PNG) and confusion matrix (PNG) here")
    Path report;

    @Override
    public Integer call() throws Exception {
        Commands.checkOutput(out);
        DataOptions.Loaded d = data.load(training.quiet);
        TeacherNetwork family = TeacherNetwork.builder().stemFilters(stem).width(width).dropout(dropout).build();
        TrainingResult r;
        try (TrainingFlags.Fitting f = training.fitting("teacher")) {
            r = SupervisedTrainer.builder().family(family).role(ModelRole.TEACHER).options(training.toOptions("teacher", f.fitter())).build()
                    .train(d.train(), d.validation());
        }
        r.model().save(out, false);
        Commands.summarise("teacher", d, r, out, report);
        return 0;
    }
}
