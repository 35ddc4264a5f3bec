package io.edgekd.bench;

import io.edgekd.train.network.InputShape;

import java.util.SplittableRandom;

/**
 * The preprocessed input every peer gets: seeded Gaussian values, float NCHW, one image. Peers take the same
 * numbers edgekd's {@code classifyPreprocessed} and the floor run on, so that only the calling path differs.
 *
 * <p>Thread safety: stateless.
 */
final class PeerInput {
    private PeerInput() {
    }

    /**
     * @param shape input size
     * @return {@code C*H*W} values
     */
    static float[] floats(InputShape shape) {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[shape.channels() * shape.height() * shape.width()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
