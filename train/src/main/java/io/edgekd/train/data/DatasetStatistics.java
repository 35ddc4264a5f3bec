package io.edgekd.train.data;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.spec.Normalization;

/**
 * Per-channel statistics of a dataset, for the normalisation a new model records in its spec.
 *
 * <p>Thread safety: stateless.
 */
public final class DatasetStatistics {
    private DatasetStatistics() {
    }

    /**
     * @param data training images
     * @return {@code (x/255 - mean_c) / std_c} with the data's per-channel mean and standard deviation, rounded to
     *         four decimals so the spec stays readable (the same numbers then drive training and the device)
     */
    public static Normalization normalization(ImageDataset data) {
        int c = data.channels();
        double[] sum = new double[c];
        double[] sq = new double[c];
        byte[] img = new byte[data.imageBytes()];
        long pixels = 0;
        for (int i = 0; i < data.size(); i++) {
            data.copyImage(i, img, 0);
            for (int p = 0; p < img.length; p += c) {
                for (int k = 0; k < c; k++) {
                    double v = (img[p + k] & 0xFF) / 255.0;
                    sum[k] += v;
                    sq[k] += v * v;
                }
            }
            pixels += img.length / c;
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int k = 0; k < c; k++) {
            double m = pixels == 0 ? 0.5 : sum[k] / pixels;
            double var = pixels == 0 ? 0.25 : Math.max(0, sq[k] / pixels - m * m);
            double s = Math.max(1e-3, Math.sqrt(var));
            mean[k] = (float) (Math.round(m * 1e4) / 1e4);
            std[k] = (float) (Math.round(s * 1e4) / 1e4);
        }
        return Normalization.of(Normalization.UNIT_SCALE, mean, std);
    }
}
