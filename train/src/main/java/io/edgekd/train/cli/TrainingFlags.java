package io.edgekd.train.cli;

import io.edgekd.train.data.Augmentation;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.training.OptimizerConfig;
import io.edgekd.train.training.TrainingOptions;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The command line's training options, shared by {@code teacher} and {@code student}.
 *
 * <p>Thread safety: filled by picocli on one thread.
 */
public final class TrainingFlags {
    @Option(names = "--epochs", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs = TrainingOptions.DEFAULT_EPOCHS;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch = TrainingOptions.DEFAULT_BATCH_SIZE;

    @Option(names = "--optimizer", description = "ADAM or SGD (Nesterov momentum) (default: ${DEFAULT-VALUE})")
    OptimizerConfig.Updater optimizer = OptimizerConfig.defaults().updater();

    @Option(names = "--lr", description = "initial learning rate (default: ${DEFAULT-VALUE})")
    double learningRate = OptimizerConfig.DEFAULT_LEARNING_RATE;

    @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum = OptimizerConfig.DEFAULT_MOMENTUM;

    @Option(names = "--weight-decay", description = "decoupled weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", description = "CONSTANT, STEP or POLY (linear decay to 0) (default: ${DEFAULT-VALUE})")
    OptimizerConfig.Schedule schedule = OptimizerConfig.DEFAULT_SCHEDULE;

    @Option(names = "--step-epochs", description = "STEP schedule: epochs between decays (default: ${DEFAULT-VALUE})")
    int stepEpochs = OptimizerConfig.DEFAULT_STEP_EPOCHS;

    @Option(names = "--step-gamma", description = "STEP schedule: decay factor (default: ${DEFAULT-VALUE})")
    double stepGamma = OptimizerConfig.DEFAULT_STEP_GAMMA;

    @Option(names = "--flip", description = "augment with random horizontal flips")
    boolean flip;

    @Option(names = "--shift", defaultValue = "0", description = "augment with random shifts of up to this many pixels")
    int shift;

    @Option(names = "--patience", defaultValue = "0", description = "stop after this many epochs without a lower validation loss (0: off)")
    int patience;

    @Option(names = "--keep-best", description = "return the weights of the best validation point rather than the last")
    boolean keepBest;

    @Option(names = "--precise-bn",
            description = "re-estimate batch-norm statistics from this many training images before each validation, 0 for off (default: ${DEFAULT-VALUE})")
    int preciseBatchNorm = TrainingOptions.DEFAULT_PRECISE_BATCH_NORM;

    @Option(names = "--validate-every", defaultValue = "0", description = "also validate every this many iterations (0: per epoch)")
    int validateEvery;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "write last.zip and best.zip here after every epoch")
    Path checkpoints;

    @Option(names = "--resume", paramLabel = "FILE", description = "continue from a last.zip checkpoint")
    Path resume;

    @Option(names = "--seed", description = "seed of weights, shuffling, augmentation (default: ${DEFAULT-VALUE})")
    long seed = TrainingOptions.DEFAULT_SEED;

    @Option(names = "--data-format", description = "layout of the network's input, NCHW or NHWC: same network, same gradients, "
            + "different training speed (default: ${DEFAULT-VALUE})")
    CNN2DFormat dataFormat = TrainingOptions.DEFAULT_DATA_FORMAT;

    @Option(names = {"-q", "--quiet"}, description = "no progress bars")
    boolean quiet;

    TrainingOptions toOptions(String name) {
        OptimizerConfig opt = new OptimizerConfig(optimizer, learningRate, momentum, weightDecay, schedule, stepEpochs, stepGamma);
        return TrainingOptions.builder().name(name).epochs(epochs).batchSize(batch).seed(seed).optimizer(opt)
                .augmentation(new Augmentation(flip, shift)).patience(patience).keepBest(keepBest).preciseBatchNorm(preciseBatchNorm).validationEvery(validateEvery)
                .checkpointDir(checkpoints).resumeFrom(resume).dataFormat(dataFormat).progress(quiet ? ProgressBar.quiet() : ProgressBar.console()).build();
    }
}
