package io.edgekd.train.cli;

import io.edgekd.train.data.Augmentation;
import io.edgekd.train.parallel.ParallelWrapperFitter;
import io.edgekd.train.report.ProgressBar;
import io.edgekd.train.spark.SparkFitter;
import io.edgekd.train.training.BatchFitter;
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

    @Option(names = "--workers", paramLabel = "N",
            description = "train N replicas in this process with DL4J's ParallelWrapper (one per GPU with the CUDA backend); "
                    + "--batch is each worker's batch; 1 is single-device training (default: ${DEFAULT-VALUE})")
    int workers = 1;

    @Option(names = "--spark-master", paramLabel = "URL",
            description = "train on Apache Spark with parameter averaging: local[2], spark://host:7077, yarn; "
                    + "Spark must be on the classpath (spark-submit)")
    String sparkMaster;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "with --workers or --spark-master: minibatches each worker fits between parameter averages (default: ${DEFAULT-VALUE})")
    int averagingFrequency = ParallelWrapperFitter.DEFAULT_AVERAGING_FREQUENCY;

    @Option(names = "--prefetch", paramLabel = "N",
            description = "with --workers or --spark-master: minibatches prepared ahead per worker, 0 for none (default: ${DEFAULT-VALUE})")
    int prefetch = ParallelWrapperFitter.DEFAULT_PREFETCH;

    @Option(names = "--spark-export-dir", paramLabel = "URI",
            description = "with --spark-master: where minibatches are written for the executors, a path all of them read "
                    + "(hdfs://...); default: a temporary folder for local[n], else DL4J's default under hadoop.tmp.dir")
    String sparkExportDir;

    /**
     * What {@code --workers} and {@code --spark-master} asked for, opened; closing stops a Spark context it started.
     *
     * @param fitter the fitter to put in the run's options
     * @param owned  what to close after the run, or null
     */
    record Fitting(BatchFitter fitter, SparkFitter owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /**
     * @param name the run's name (the Spark application is called after it)
     * @return the fitter the flags ask for
     * @throws IllegalArgumentException when the flags contradict each other or Spark is missing
     */
    Fitting fitting(String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers: expected at least 1, found " + workers);
        }
        if (sparkMaster != null && workers > 1) {
            throw new IllegalArgumentException("--workers and --spark-master: expected one of them, found both (on Spark the executors are the workers)");
        }
        if (sparkExportDir != null && sparkMaster == null) {
            throw new IllegalArgumentException("--spark-export-dir: expected --spark-master as well, found none");
        }
        if (sparkMaster != null) {
            requireSpark();
            SparkFitter spark = SparkFitter.builder().master(sparkMaster).appName("edgekd-train " + name).averagingFrequency(averagingFrequency)
                    .prefetch(prefetch).seed(seed).exportDirectory(sparkExportDir).build();
            return new Fitting(spark, spark);
        }
        if (workers > 1) {
            return new Fitting(ParallelWrapperFitter.builder().workers(workers).averagingFrequency(averagingFrequency).prefetch(prefetch).build(),
                    null);
        }
        return new Fitting(BatchFitter.SINGLE_DEVICE, null);
    }

    private static void requireSpark() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, TrainingFlags.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--spark-master: expected Apache Spark 3.5 (Scala 2.12) on the classpath, found none; "
                    + "run edgekd-train through spark-submit, or add Spark's jars to the class path (see the README)", e);
        }
    }

    TrainingOptions toOptions(String name) {
        return toOptions(name, BatchFitter.SINGLE_DEVICE);
    }

    TrainingOptions toOptions(String name, BatchFitter fitter) {
        OptimizerConfig opt = new OptimizerConfig(optimizer, learningRate, momentum, weightDecay, schedule, stepEpochs, stepGamma);
        return TrainingOptions.builder().name(name).epochs(epochs).batchSize(batch).seed(seed).optimizer(opt)
                .augmentation(new Augmentation(flip, shift)).patience(patience).keepBest(keepBest).preciseBatchNorm(preciseBatchNorm).validationEvery(validateEvery)
                .checkpointDir(checkpoints).resumeFrom(resume).dataFormat(dataFormat).progress(quiet ? ProgressBar.quiet() : ProgressBar.console()).fitter(fitter).build();
    }
}
