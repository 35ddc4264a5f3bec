package io.edgekd.train.distill;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.train.data.Augmentation;
import io.edgekd.train.data.BatchSource;
import io.edgekd.train.eval.Dl4jEvaluator;
import io.edgekd.train.model.Provenance;
import io.edgekd.train.model.TrainedModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A teacher trained with edgekd-train (a {@link TrainedModel}), run in DL4J on features built exactly as its own
 * training built them (its normalisation, the student's augmentation).
 *
 * <p>Thread safety: not thread-safe (reuses a batch source). Nothing native to release; {@link #close} does nothing.
 */
public final class Dl4jTeacher implements Teacher {
    private final TrainedModel model;
    private final boolean softmaxOutput;
    private BatchSource source;

    /** @param model the trained teacher */
    public Dl4jTeacher(TrainedModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.softmaxOutput = Dl4jEvaluator.outputsProbabilities(model.network());
    }

    /** @return the model */
    public TrainedModel model() {
        return model;
    }

    @Override
    public List<String> labels() {
        return model.spec().labels();
    }

    @Override
    public float[][] outputs(ImageDataset data, int[] positions, Augmentation augmentation, long seed, int epoch) {
        if (source == null || source.data() != data) {
            source = new BatchSource(data, model.spec().normalization(), io.edgekd.train.network.Dl4jNetworks.inputFormat(model.network()));
        }
        INDArray out = model.network().output(source.features(positions, augmentation, seed, epoch), false).castTo(DataType.FLOAT);
        if (softmaxOutput) {
            out = Transforms.log(Transforms.max(out, 1e-30f, false), false);
        }
        return out.toFloatMatrix();
    }

    @Override
    public boolean givesLogits() {
        return !softmaxOutput;
    }

    @Override
    public void checkCompatible(ImageDataset data) {
        Dl4jEvaluator.checkCompatible(model.spec(), data, "data for distillation from the teacher");
    }

    @Override
    public Map<String, String> provenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Provenance.KD_TEACHER, Provenance.require(model.spec(), Provenance.NETWORK));
        m.put(Provenance.KD_TEACHER_DATA_FINGERPRINT, Provenance.require(model.spec(), Provenance.TRAIN_DATA_FINGERPRINT));
        m.put(Provenance.KD_TEACHER_ACCURACY, Provenance.require(model.spec(), Provenance.VALIDATION_ACCURACY));
        return m;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "Dl4jTeacher[" + model.spec().provenance().getOrDefault(Provenance.NETWORK, "network") + "]";
    }
}
