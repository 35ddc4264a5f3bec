package io.edgekd.train.network;

import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;

/**
 * A family of image classifiers, parameterised by input size and class count. Every family begins with the
 * same stem block ({@link Networks#STEM_LAYERS} layers: a 3x3 convolution of {@link #stemFilters()} filters,
 * batch norm, ReLU), which is what lets a student start from a teacher's weights.
 *
 * <p>Thread safety: implementations are immutable.
 */
public sealed interface NetworkFamily permits TeacherNetwork, StudentNetwork {
    /** @return a short name: {@code teacher} or {@code student} */
    String name();

    /** @return filters of the shared stem convolution */
    int stemFilters();

    /**
     * @param input input size
     * @return the layers between the input and the output layer, NCHW
     */
    List<Layer> hiddenLayers(InputShape input);

    /** @return the family's settings in one line, for provenance */
    String describe();
}
