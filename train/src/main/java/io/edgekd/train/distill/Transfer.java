package io.edgekd.train.distill;

import io.edgekd.train.network.Networks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Transfer learning between edgekd's families: the student starts from what the teacher learned where the
 * shapes allow. The families share their first {@value Networks#STEM_LAYERS} layers — a 3x3 convolution of the
 * same number of filters, its batch norm and a ReLU — so the stem's convolution weights and batch-norm
 * parameters and statistics transfer; every later layer differs in shape (the teacher is wider and uses full
 * convolutions where the student uses depthwise-separable ones) and starts from its own initialisation.
 *
 * <p>Thread safety: stateless; neither network may be in use meanwhile.
 */
public final class Transfer {
    private Transfer() {
    }

    /**
     * Copies the stem of {@code teacher} into {@code student}.
     *
     * @param teacher source network
     * @param student destination network, same input channels
     * @return names of the layers whose parameters were copied
     * @throws IllegalArgumentException when the stems differ (names or shapes), naming the layer and both shapes
     */
    public static List<String> copyStem(MultiLayerNetwork teacher, MultiLayerNetwork student) {
        List<String> copied = new ArrayList<>();
        for (int i = 0; i < Networks.STEM_LAYERS; i++) {
            Layer t = teacher.getLayer(i);
            Layer s = student.getLayer(i);
            String tn = t.conf().getLayer().getLayerName();
            String sn = s.conf().getLayer().getLayerName();
            if (tn == null || !tn.equals(sn) || !tn.startsWith("stem_")) {
                throw new IllegalArgumentException("layer " + i + ": expected the shared stem layer in both networks, found '" + tn
                        + "' in the teacher and '" + sn + "' in the student");
            }
            Map<String, INDArray> tp = t.paramTable();
            Map<String, INDArray> sp = s.paramTable();
            if (!tp.keySet().equals(sp.keySet())) {
                throw new IllegalArgumentException("layer " + i + " '" + tn + "': expected the same parameters, found " + tp.keySet()
                        + " in the teacher and " + sp.keySet() + " in the student");
            }
            for (Map.Entry<String, INDArray> e : tp.entrySet()) {
                INDArray dst = sp.get(e.getKey());
                if (!Arrays.equals(e.getValue().shape(), dst.shape())) {
                    throw new IllegalArgumentException("layer " + i + " '" + tn + "' parameter " + e.getKey() + ": expected the student's shape "
                            + Arrays.toString(dst.shape()) + ", found the teacher's " + Arrays.toString(e.getValue().shape())
                            + " (give both families the same stem filters to transfer)");
                }
            }
            if (!tp.isEmpty()) {
                for (Map.Entry<String, INDArray> e : tp.entrySet()) {
                    s.setParam(e.getKey(), e.getValue().dup());
                }
                copied.add(tn);
            }
        }
        return copied;
    }
}
