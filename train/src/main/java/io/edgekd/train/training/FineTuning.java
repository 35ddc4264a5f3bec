package io.edgekd.train.training;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;

/**
 * Prepares an already trained network for more training: a copy with a fresh optimiser, and its first
 * {@code k} layers frozen (DL4J wraps them; their weights and batch-norm statistics stay as they are).
 */
public final class FineTuning {
    private FineTuning() {
    }

    /**
     * @param source        the trained network (left unchanged)
     * @param options       run options (optimiser, seed)
     * @param freezeLayers  layers to freeze from the input side, 0 for none
     * @param trainExamples examples per epoch (for the schedule)
     * @return a new network ready to train
     */
    public static MultiLayerNetwork prepare(MultiLayerNetwork source, TrainingOptions options, int freezeLayers, int trainExamples) {
        if (freezeLayers > source.getnLayers() - 1) {
            throw new IllegalArgumentException("freezeLayers: expected at most " + (source.getnLayers() - 1)
                    + " (all but the output layer), found " + freezeLayers);
        }
        FineTuneConfiguration ft = new FineTuneConfiguration.Builder()
                .updater(options.optimizer().toUpdater(options.plannedIterations(trainExamples)))
                .seed(options.seed())
                .build();
        TransferLearning.Builder b = new TransferLearning.Builder(source.clone()).fineTuneConfiguration(ft);
        if (freezeLayers > 0) {
            b.setFeatureExtractor(freezeLayers - 1);
        }
        return b.build();
    }
}
