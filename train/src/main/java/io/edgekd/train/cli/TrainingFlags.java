package io.edgekd.train.cli;

import io.edgekd.train.data.Augmentation;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.OptimizerConfig;
import io.edgekd.train.training.TrainingOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The command line's training options, shared by {@code teacher} and {@code student}.
 *
 * <p>Thread safety: filled by picocli on one thread.
 */
public final class TrainingFlags {
    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--optimizer", defaultValue = "ADAM", description = "ADAM or SGD (Nesterov momentum) (default: ${DEFAULT-VALUE})")
    OptimizerConfig.Updater optimizer;

    @Option(names = "--lr", defaultValue = "0.002", description = "initial learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "decoupled weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "POLY", description = "CONSTANT, STEP or POLY (linear decay to 0) (default: ${DEFAULT-VALUE})")
    OptimizerConfig.Schedule schedule;

    @Option(names = "--step-epochs", defaultValue = "5", description = "STEP schedule: epochs between decays (default: ${DEFAULT-VALUE})")
    int stepEpochs;

    @Option(names = "--step-gamma", defaultValue = "0.1", description = "STEP schedule: decay factor (default: ${DEFAULT-VALUE})")
    double stepGamma;

    @Option(names = "--flip", description = "augment with random horizontal flips")
    boolean flip;

    @Option(names = "--shift", defaultValue = "0", description = "augment with random shifts of up to this many pixels")
    int shift;

    @Option(names = "--patience", defaultValue = "0", description = "stop after this many epochs without a lower validation loss (0: off)")
    int patience;

    @Option(names = "--keep-best", description = "return the weights of the best validation point rather than the last")
    boolean keepBest;

    @Option(names = "--precise-bn", defaultValue = "512",
            description = "re-estimate batch-norm statistics from this many training images before each validation, 0 for off (default: ${DEFAULT-VALUE})")
    int preciseBatchNorm;

    @Option(names = "--validate-every", defaultValue = "0", description = "also validate every this many iterations (0: per epoch)")
    int validateEvery;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "write last.zip and best.zip here after every epoch")
    Path checkpoints;

    @Option(names = "--resume", paramLabel = "FILE", description = "continue from a last.zip checkpoint")
    Path resume;

    @Option(names = "--seed", defaultValue = "42", description = "seed of weights, shuffling, augmentation (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-q", "--quiet"}, description = "no progress bars")
    boolean quiet;

    TrainingOptions toOptions(String name) {
        OptimizerConfig opt = new OptimizerConfig(optimizer, learningRate, momentum, weightDecay, schedule, stepEpochs, stepGamma);
        return TrainingOptions.builder().name(name).epochs(epochs).batchSize(batch).seed(seed).optimizer(opt)
                .augmentation(new Augmentation(flip, shift)).patience(patience).keepBest(keepBest).preciseBatchNorm(preciseBatchNorm).validationEvery(validateEvery)
                .checkpointDir(checkpoints).resumeFrom(resume).progress(quiet ? ProgressBar.quiet() : ProgressBar.console()).build();
    }
}
