package io.edgekd.train.spark;

import io.edgekd.train.training.BatchFitter;
import io.edgekd.train.training.TrainingException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Trains on the executors of an Apache Spark cluster (or {@code local[n]} threads) with DL4J's synchronous parameter
 * averaging, {@link ParameterAveragingTrainingMaster}: every executor fits {@code averagingFrequency} minibatches
 * from the driver's current parameters, the driver averages the executors' parameters and updater state, and the
 * next round starts from the average.
 *
 * <pre>{@code
 * try (SparkFitter spark = SparkFitter.builder().master("local[2]").build()) {
 *     TrainingOptions o = TrainingOptions.builder().batchSize(64).fitter(spark).build();
 *     ... SupervisedTrainer / Distiller with o ...
 * }
 * }</pre>
 *
 * <p>How the data reaches the executors: the driver runs the training loop as on one machine (seeded shuffling,
 * augmentation, the teacher's logits as extra label columns, so the distillation loss gets its soft targets with the
 * data) and hands each stretch of an epoch to Spark as an RDD of those minibatches. DL4J's training master then
 * exports them as DataSet files to {@code exportDirectory} (its {@link RDDTrainingApproach#Export} approach, which DL4J
 * recommends: the batches are written once per stretch and streamed from files, rather than recomputed or held in
 * executor memory for every split) and deals them out to the executors. The export folder must be one every executor
 * can read: an {@code hdfs://} or shared path on a cluster; with a {@code local} master, a temporary folder that
 * {@link #close} deletes.
 *
 * <p>Order: by default the training master splits a stretch into rounds itself, at random (seeded by
 * {@link Builder#seed}), so each round's batches are a random draw from the stretch. {@link Builder#exactOrder} runs
 * one Spark job per round instead, the rounds taking the loop's batches in order: with averaging every round and plain
 * SGD that reproduces single-machine training at {@code workers × batch} exactly (up to float rounding), at the cost
 * of a job per round; meant for tests and small data.
 *
 * <p>Workers: Spark's default parallelism (the {@code n} of {@code local[n]}, or the executors' cores on a cluster).
 *
 * <p>Thread safety: one {@link #fit} at a time. Owns the Spark context it created from {@link Builder#master} and
 * stops it in {@link #close} (idempotent); a context passed to {@link Builder#context} stays the caller's.
 */
public final class SparkFitter implements BatchFitter, AutoCloseable {
    /** Default batches each executor loads ahead. */
    public static final int DEFAULT_PREFETCH = 2;
    /** Default minibatches per executor between averages. */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 1;

    private final JavaSparkContext sc;
    private final boolean ownsContext;
    private final int averagingFrequency;
    private final int prefetch;
    private final boolean exactOrder;
    private final long seed;
    private final String exportDirectory;
    private final Path temporaryExport;
    private ParameterAveragingTrainingMaster master;
    private int masterBatch;
    private boolean closed;

    private SparkFitter(Builder b, JavaSparkContext sc, boolean owns, String exportDirectory, Path temporaryExport) {
        this.sc = sc;
        this.ownsContext = owns;
        this.averagingFrequency = b.averagingFrequency;
        this.prefetch = b.prefetch;
        this.exactOrder = b.exactOrder;
        this.seed = b.seed;
        this.exportDirectory = exportDirectory;
        this.temporaryExport = temporaryExport;
    }

    /** @return a builder: averaging every round, prefetch {@value #DEFAULT_PREFETCH}, DL4J's own split into rounds */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the Spark context this fitter trains with */
    public JavaSparkContext context() {
        return sc;
    }

    /** @return how many executors train in parallel (Spark's default parallelism) */
    public int workers() {
        return sc.defaultParallelism();
    }

    @Override
    public synchronized void fit(MultiLayerNetwork net, Iterator<DataSet> batches, int count, Listener listener) throws TrainingException {
        if (closed) {
            throw new IllegalStateException("SparkFitter: expected an open fitter, found it closed");
        }
        List<DataSet> all = new ArrayList<>(count);
        while (batches.hasNext()) {
            all.add(batches.next());
        }
        if (all.isEmpty()) {
            return;
        }
        int workers = workers();
        int batch = all.get(0).numExamples();
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, master(batch));
        int round = exactOrder ? workers * averagingFrequency : all.size();
        try {
            for (int from = 0; from < all.size(); from += round) {
                List<DataSet> part = all.subList(from, Math.min(all.size(), from + round));
                JavaRDD<DataSet> rdd = sc.parallelize(new ArrayList<>(part), Math.min(workers, part.size()));
                spark.fit(rdd);
                if (!listener.finished(part.size(), spark.getScore())) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            TargetsFailure f = TargetsFailure.find(e);
            if (f != null) {
                throw f;
            }
            throw new TrainingException("Spark training on " + sc.master() + " failed: " + e, e);
        }
    }

    /** One training master per batch size: it numbers its exported folders, and its statistics span the run. */
    private ParameterAveragingTrainingMaster master(int batch) {
        if (master == null || masterBatch != batch) {
            ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(batch).batchSizePerWorker(batch)
                    .averagingFrequency(averagingFrequency).workerPrefetchNumBatches(prefetch).saveUpdater(true)
                    .rddTrainingApproach(RDDTrainingApproach.Export).rngSeed(seed).collectTrainingStats(false);
            if (exportDirectory != null) {
                b.exportDirectory(exportDirectory);
            }
            master = b.build();
            masterBatch = batch;
        }
        return master;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "Spark %s, %d workers, parameter averaging every %d, prefetch %d%s", sc.master(), workers(),
                averagingFrequency, prefetch, exactOrder ? ", exact order" : "");
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Stops the Spark context if this fitter created it, and deletes a temporary export folder. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (ownsContext) {
                sc.stop();
            }
        } finally {
            if (temporaryExport != null) {
                deleteTree(temporaryExport);
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary Spark export folder " + dir, e);
        }
    }

    /** Builds a {@link SparkFitter}. Thread safety: not thread-safe. */
    public static final class Builder {
        private String masterUrl;
        private JavaSparkContext context;
        private String appName = "edgekd-train";
        private int averagingFrequency = DEFAULT_AVERAGING_FREQUENCY;
        private int prefetch = DEFAULT_PREFETCH;
        private boolean exactOrder;
        private long seed = 42;
        private String exportDirectory;

        private Builder() {
        }

        /**
         * @param url a Spark master: {@code local[2]}, {@code spark://host:7077}, {@code yarn}; the fitter creates the
         *            context and stops it on {@link #close}
         * @return this
         */
        public Builder master(String url) {
            this.masterUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** @param sc a running Spark context to train with (not stopped by the fitter) @return this */
        public Builder context(JavaSparkContext sc) {
            this.context = Objects.requireNonNull(sc, "sc");
            return this;
        }

        /** @param name the Spark application name, for a context the fitter creates @return this */
        public Builder appName(String name) {
            this.appName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** @param batches minibatches each executor fits between averages, at least 1 @return this */
        public Builder averagingFrequency(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("averagingFrequency: expected at least 1, found " + batches);
            }
            this.averagingFrequency = batches;
            return this;
        }

        /** @param n batches each executor loads ahead on a background thread, 0 for none @return this */
        public Builder prefetch(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("prefetch: expected >= 0, found " + n);
            }
            this.prefetch = n;
            return this;
        }

        /** @param exact one Spark job per round, rounds in the loop's order (see the class comment) @return this */
        public Builder exactOrder(boolean exact) {
            this.exactOrder = exact;
            return this;
        }

        /** @param s seed of the training master's split of a stretch into rounds @return this */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param dir where the training master writes the batches for the executors: a path every executor reads
         *            ({@code hdfs://...}); default: a temporary folder for a {@code local} master, else DL4J's default
         *            under the cluster's {@code hadoop.tmp.dir}
         * @return this
         */
        public Builder exportDirectory(String dir) {
            this.exportDirectory = dir;
            return this;
        }

        /**
         * @return the fitter, with a new Spark context when {@link #master} was given
         * @throws IllegalStateException when neither or both of a master and a context were given
         */
        public SparkFitter build() {
            if ((masterUrl == null) == (context == null)) {
                throw new IllegalStateException("SparkFitter: expected either a master URL or a Spark context, found "
                        + (masterUrl == null ? "neither" : "both"));
            }
            JavaSparkContext sc = context;
            boolean owns = false;
            if (sc == null) {
                sc = new JavaSparkContext(conf(masterUrl, appName));
                owns = true;
            }
            String export = exportDirectory;
            Path temporary = null;
            if (export == null && sc.master().startsWith("local")) {
                try {
                    temporary = Files.createTempDirectory("edgekd-spark-export");
                } catch (IOException e) {
                    if (owns) {
                        sc.stop();
                    }
                    throw new UncheckedIOException("cannot create a temporary Spark export folder", e);
                }
                export = temporary.toUri().toString();
            }
            return new SparkFitter(this, sc, owns, export, temporary);
        }

        /**
         * @param master  Spark master URL
         * @param appName application name
         * @return the configuration a fitter's own context starts with; a {@code local} master binds to the loopback
         *         interface and runs without the web UI
         */
        public static SparkConf conf(String master, String appName) {
            SparkConf conf = new SparkConf().setMaster(master).setAppName(appName);
            if (master.startsWith("local")) {
                conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            }
            return conf;
        }
    }
}
