package io.edgekd.train.parallel;

import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.training.BatchFitter;
import io.edgekd.train.training.TrainingException;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.trainer.Trainer;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Trains on several devices of one machine with DL4J's {@link ParallelWrapper}: one replica of the network per
 * worker (per GPU under the CUDA backend, or per CPU thread group here), each fitting its own minibatch, their
 * parameters and updater state averaged every {@code averagingFrequency} rounds (synchronous data parallelism with
 * parameter averaging).
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.builder().batchSize(64)
 *         .fitter(ParallelWrapperFitter.builder().workers(2).build()).build();
 * }</pre>
 *
 * <p>What a round is: the loop's batches are dealt in order, batch {@code k} of the round to worker {@code k}; worker 0
 * trains the network itself, the others replicas rebuilt from the network's JSON configuration (so custom losses must
 * survive JSON, which {@code io.edgekd.train.loss} tests). With averaging every round and plain SGD, {@code w} workers
 * at batch {@code b} take the same steps as one device at batch {@code w·b} on the merged batches (the mean of the
 * workers' gradients is the merged batch's gradient), up to float rounding; with Adam the averaged moments differ
 * slightly from the merged batch's, and batch normalisation sees each worker's half of the batch.
 *
 * <p>Each {@link #fit} builds a fresh wrapper whose replicas start from the network's current parameters and
 * updater state, and ends with worker 0's, i.e. the network's, parameters: the last average when the stretch ended on
 * an averaging round (always so with averaging every round). With a longer averaging period, the rounds after the last
 * average of a stretch count for worker 0 only. Iteration counts: DL4J's own counter on the network advances once per
 * round (one averaged step, which is what learning-rate schedules and Adam's bias correction see), the training loop's
 * curve counts minibatches.
 *
 * <p>Batches are built on ParallelWrapper's prefetch thread when {@code prefetch > 0}, one at a time, in order.
 * Dropout draws come from each worker thread's own ND4J generator, which the loop's per-epoch seed does not reach:
 * a network with dropout (the teacher) trains reproducibly on one device only.
 *
 * <p>Thread safety: immutable; one {@link #fit} at a time per network.
 */
public final class ParallelWrapperFitter implements BatchFitter {
    /** Default batches each worker's queue holds ahead. */
    public static final int DEFAULT_PREFETCH = 2;
    /** Default rounds between averages. */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 1;

    private final int workers;
    private final int averagingFrequency;
    private final int prefetch;

    private ParallelWrapperFitter(Builder b) {
        this.workers = b.workers;
        this.averagingFrequency = b.averagingFrequency;
        this.prefetch = b.prefetch;
    }

    /** @return a builder: 2 workers, averaging every round, prefetch {@value #DEFAULT_PREFETCH} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of workers */
    public int workers() {
        return workers;
    }

    @Override
    public void fit(MultiLayerNetwork net, Iterator<DataSet> batches, int count, Listener listener) throws TrainingException {
        List<TrainingListener> before = new ArrayList<>(net.getListeners());
        Reporter reporter = new Reporter(listener);
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(workers).averagingFrequency(averagingFrequency)
                .prefetchBuffer(prefetch).trainingMode(ParallelWrapper.TrainingMode.AVERAGING).averageUpdaters(true)
                .reportScoreAfterAveraging(false).build();
        reporter.wrapper = wrapper;
        // ParallelWrapper puts its listeners on every replica, worker 0's being the network itself.
        wrapper.setListeners(reporter);
        try {
            wrapper.fit(new ExistingDataSetIterator(new AfterReplicas(batches, wrapper, net, reporter)));
        } catch (RuntimeException e) {
            TargetsFailure f = TargetsFailure.find(e);
            if (f != null) {
                throw f;
            }
            throw new TrainingException("ParallelWrapper training with " + workers + " workers failed: " + e, e);
        } finally {
            wrapper.shutdown();
            net.setListeners(before);
        }
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "ParallelWrapper %d workers, averaging every %d, prefetch %d", workers, averagingFrequency, prefetch);
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Holds the first batch back until every replica has copied the network's parameters and updater state.
     * ParallelWrapper starts its worker threads and feeds them at once; worker 0 trains the network itself, while
     * the other workers copy its parameters on their own threads once their replica is built, so without this wait
     * worker 0's first step could land before a replica's copy and that replica would start a step ahead.
     */
    private static final class AfterReplicas implements Iterator<DataSet> {
        private static final long TIMEOUT_NANOS = 120_000_000_000L;
        private final Iterator<DataSet> batches;
        private final ParallelWrapper wrapper;
        private final MultiLayerNetwork net;
        private final TrainingListener reporter;
        private boolean waited;

        AfterReplicas(Iterator<DataSet> batches, ParallelWrapper wrapper, MultiLayerNetwork net, TrainingListener reporter) {
            this.batches = batches;
            this.wrapper = wrapper;
            this.net = net;
            this.reporter = reporter;
        }

        @Override
        public boolean hasNext() {
            return batches.hasNext();
        }

        @Override
        public DataSet next() {
            if (!waited) {
                awaitReplicas();
                waited = true;
            }
            return batches.next();
        }

        private void awaitReplicas() {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            Trainer[] zoo = wrapper.getZoo();
            for (int i = 1; zoo != null && i < zoo.length; i++) {
                while (!copied(zoo[i])) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("ParallelWrapper worker " + i + ": expected its replica to copy the network within "
                                + TIMEOUT_NANOS / 1_000_000_000L + " s, found it still building");
                    }
                    LockSupport.parkNanos(1_000_000L);
                }
            }
        }

        /**
         * A replica has copied the network once ParallelWrapper has put its listeners on it: DefaultTrainer copies the
         * parameters and updater state first, then sets the listeners, then takes its first batch. (Comparing the
         * parameters would not do: a replica built from the same seed starts with equal ones before it copies.)
         */
        private boolean copied(Trainer t) {
            Model m = t.getModel();
            if (!(m instanceof MultiLayerNetwork replica) || replica == net) {
                return false;
            }
            Collection<TrainingListener> ls = replica.getListeners();
            return ls != null && ls.contains(reporter);
        }
    }

    /** Each worker's finished minibatch, told to the loop; asks the wrapper to stop when the loop says so. */
    private static final class Reporter extends BaseTrainingListener {
        private final Listener listener;
        volatile ParallelWrapper wrapper;

        Reporter(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            TrainingBackend.releaseNativeGarbage();
            if (!listener.finished(1, model.score()) && wrapper != null) {
                wrapper.stopFit();
            }
        }
    }

    /** Builds a {@link ParallelWrapperFitter}. Thread safety: not thread-safe. */
    public static final class Builder {
        private int workers = 2;
        private int averagingFrequency = DEFAULT_AVERAGING_FREQUENCY;
        private int prefetch = DEFAULT_PREFETCH;

        private Builder() {
        }

        /**
         * @param n workers, at least 2 (ParallelWrapper's own minimum; one worker is single-device training)
         * @return this
         */
        public Builder workers(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("workers: expected at least 2 (1 is single-device training), found " + n);
            }
            this.workers = n;
            return this;
        }

        /** @param rounds rounds of one minibatch per worker between parameter averages, at least 1 @return this */
        public Builder averagingFrequency(int rounds) {
            if (rounds < 1) {
                throw new IllegalArgumentException("averagingFrequency: expected at least 1, found " + rounds);
            }
            this.averagingFrequency = rounds;
            return this;
        }

        /** @param n batches built ahead on a background thread, 0 for none @return this */
        public Builder prefetch(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("prefetch: expected >= 0, found " + n);
            }
            this.prefetch = n;
            return this;
        }

        /** @return the fitter */
        public ParallelWrapperFitter build() {
            return new ParallelWrapperFitter(this);
        }
    }
}
