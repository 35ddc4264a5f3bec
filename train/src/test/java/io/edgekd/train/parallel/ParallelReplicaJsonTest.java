package io.edgekd.train.parallel;

import io.edgekd.train.backend.TrainingBackend;
import io.edgekd.train.loss.KnowledgeDistillationLoss;
import io.edgekd.train.loss.SoftmaxCrossEntropyLoss;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ParallelWrapper rebuilds every replica but worker 0 from the configuration's JSON, and Spark's executors do the
 * same from the broadcast configuration: the project's custom losses must come back from JSON with their settings,
 * and a replica built that way must take the very step the original takes.
 */
class ParallelReplicaJsonTest {
    private static MultiLayerConfiguration conf(ILossFunction loss) {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(8).nOut(4).activation(Activation.IDENTITY).build()).build();
    }

    private static void assertReplicaTakesTheSameStep(ILossFunction loss, INDArray labels) {
        TrainingBackend.init();
        MultiLayerConfiguration c = conf(loss);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(c.toJson());
        ILossFunction restored = ((OutputLayer) back.getConf(1).getLayer()).getLossFn();
        assertEquals(loss, restored, "the loss with its settings after JSON");
        MultiLayerNetwork a = new MultiLayerNetwork(c);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init();
        b.setParams(a.params().dup());
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 5, 6), labels);
        a.fit(d);
        b.fit(d);
        assertEquals(0.0, a.params().sub(b.params()).amaxNumber().doubleValue(), 0.0, "the replica's step");
        assertEquals(a.score(), b.score(), 0.0);
    }

    @Test
    void theDistillationLossSurvivesJson() {
        Nd4j.getRandom().setSeed(3);
        int[] y = {0, 1, 2, 3, 1};
        float[][] teacher = new float[5][4];
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < 4; k++) {
                teacher[i][k] = (float) Math.sin(i * 4 + k);
            }
        }
        assertReplicaTakesTheSameStep(new KnowledgeDistillationLoss(0.7, 3.0), KnowledgeDistillationLoss.labels(y, 4, teacher));
    }

    @Test
    void theCrossEntropyLossSurvivesJson() {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 5, 4);
        for (int i = 0; i < 5; i++) {
            oneHot.putScalar(i, i % 4, 1f);
        }
        assertReplicaTakesTheSameStep(new SoftmaxCrossEntropyLoss(), oneHot);
    }
}
