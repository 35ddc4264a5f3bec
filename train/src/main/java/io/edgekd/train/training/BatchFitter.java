package io.edgekd.train.training;

import io.edgekd.train.backend.TrainingBackend;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;

/**
 * How a run's minibatches update the network: on this device with DL4J's own {@code fit} ({@link #SINGLE_DEVICE}),
 * or spread over several devices or machines ({@code io.edgekd.train.parallel.ParallelWrapperFitter},
 * {@code io.edgekd.train.spark.SparkFitter}). The {@link TrainingLoop} keeps everything else: which examples make
 * up each batch and in what order, augmentation, the targets (teacher logits included, as extra label columns),
 * validation, keep-best, checkpoints and resume. It hands the fitter one stretch of an epoch at a time (an epoch, or
 * the batches between two mid-epoch validations); when {@link #fit} returns, the network holds the parameters and
 * updater state the stretch ended with, so validation and checkpoints read it as they would after single-device
 * training.
 *
 * <p>Thread safety: implementations say; the loop calls {@link #fit} from one thread at a time.
 */
public interface BatchFitter {
    /**
     * Told what finished.
     *
     * <p>Thread safety: a fitter may call it from its own threads, one call at a time.
     */
    @FunctionalInterface
    interface Listener {
        /**
         * @param batches   how many batches finished since the last call (1 where the fitter sees single batches)
         * @param meanScore their mean training loss
         * @return false to ask the fitter to stop (the loss is not finite); it then returns as soon as it can
         */
        boolean finished(int batches, double meanScore);
    }

    /** One batch after another on this device, each a DL4J {@code fit} call on the calling thread. */
    BatchFitter SINGLE_DEVICE = new BatchFitter() {
        @Override
        public void fit(MultiLayerNetwork net, Iterator<DataSet> batches, int count, Listener listener) {
            while (batches.hasNext()) {
                net.fit(batches.next());
                TrainingBackend.releaseNativeGarbage();
                if (!listener.finished(1, net.score())) {
                    return;
                }
            }
        }

        @Override
        public String describe() {
            return "single device";
        }
    };

    /**
     * Trains {@code net} on the batches.
     *
     * @param net      the network; a fitter may train replicas of it, but leaves the result in it
     * @param batches  the stretch's batches in the loop's order, built as they are read (from the thread that reads
     *                 them); reading one may throw {@link TargetsFailure}
     * @param count    how many batches {@code batches} yields
     * @param listener told as batches finish
     * @throws TrainingException when the fitter fails or a batch could not be built
     */
    void fit(MultiLayerNetwork net, Iterator<DataSet> batches, int count, Listener listener) throws TrainingException;

    /** @return a short description for the model's provenance, e.g. {@code single device} */
    String describe();

    /**
     * A batch the loop could not build (its targets failed, e.g. the teacher model), carried through a fitter's
     * threads as an unchecked exception; the loop turns it back into the {@link TrainingException} it carries.
     */
    final class TargetsFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param cause what failed */
        public TargetsFailure(TrainingException cause) {
            super(cause.getMessage(), cause);
        }

        /** @return the failure */
        public TrainingException failure() {
            return (TrainingException) getCause();
        }

        /**
         * @param t anything a fitter caught
         * @return the {@link TargetsFailure} in its cause chain, or null
         */
        public static TargetsFailure find(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof TargetsFailure f) {
                    return f;
                }
            }
            return null;
        }
    }
}
