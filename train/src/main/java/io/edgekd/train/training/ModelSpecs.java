package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.Normalization;
import io.edgekd.core.spec.PixelOrder;

/**
 * The spec a newly trained model starts with: labels and input size from its training data, gray or RGB, the
 * given normalisation. Training adds provenance; export adjusts the input form.
 *
 * <p>Thread safety: stateless.
 */
public final class ModelSpecs {
    private ModelSpecs() {
    }

    /**
     * @param data          training data
     * @param normalization normalisation
     * @param role          role
     * @return the spec
     */
    public static ModelSpec forData(ImageDataset data, Normalization normalization, ModelRole role) {
        return ModelSpec.builder()
                .labels(data.classes())
                .input(data.channels(), data.height(), data.width())
                .pixelOrder(data.channels() == 1 ? PixelOrder.GRAY : PixelOrder.RGB)
                .normalization(normalization)
                .role(role)
                .build();
    }
}
