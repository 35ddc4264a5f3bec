package io.edgekd.core.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A seeded generator of labelled images — shapes on noisy backgrounds — for fast tests and demos that need
 * real learning signal but no files.
 *
 * <p>Class {@code k} is a shape ({@code k mod 8}: disc, square, triangle, ring, cross, horizontal bars,
 * vertical bars, diamond) in a variant ({@code k / 8}): a colour family for three channels (up to 6), a
 * polarity (light on dark, dark on light) for one channel. Each image jitters the position, size, colour and
 * background, and adds pixel noise, so a classifier must learn the shape rather than a pixel.
 *
 * <pre>{@code
 * ImageDataset ds = SyntheticImages.builder().classes(3).size(16, 16).channels(1).perClass(200).seed(7).build();
 * }</pre>
 *
 * <p>The same settings give the same bytes on every run and machine (each image has its own random stream
 * derived from the seed and its index). Thread safety: a builder is not thread-safe; generation is.
 */
public final class SyntheticImages {
    private static final String[] SHAPES = {"disc", "square", "triangle", "ring", "cross", "hbars", "vbars", "diamond"};
    private static final String[] HUES = {"red", "green", "blue", "yellow", "magenta", "cyan"};
    private static final int[][] HUE_RGB = {{220, 40, 40}, {40, 200, 60}, {50, 80, 230}, {230, 210, 40}, {210, 50, 210}, {40, 210, 220}};
    private static final String[] POLARITY = {"light", "dark"};
    private static final int SUPERSAMPLE = 3;

    private SyntheticImages() {
    }

    /** @return a builder: 3 classes, 16x16, 1 channel, 100 per class, seed 0, noise 12 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param classes  number of classes
     * @param channels 1 or 3
     * @return the class names that many classes get
     */
    public static List<String> classNames(int classes, int channels) {
        int max = maxClasses(channels);
        if (classes < 1 || classes > max) {
            throw new IllegalArgumentException("classes: expected 1 to " + max + " for " + channels + " channel(s), found " + classes);
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            String variant = channels == 3 ? HUES[k / SHAPES.length] : POLARITY[k / SHAPES.length];
            names.add(variant + "-" + SHAPES[k % SHAPES.length]);
        }
        return names;
    }

    /** @param channels 1 or 3 @return the largest number of distinct classes the generator can make */
    public static int maxClasses(int channels) {
        return SHAPES.length * (channels == 3 ? HUES.length : POLARITY.length);
    }

    private static byte[] render(int cls, int w, int h, int channels, double noise, SplittableRandom r) {
        int shape = cls % SHAPES.length;
        int variant = cls / SHAPES.length;
        double minSide = Math.min(w, h);
        double radius = minSide * (0.28 + 0.12 * r.nextDouble());
        double cx = w / 2.0 + (r.nextDouble() - 0.5) * (w - 2 * radius) * 0.6;
        double cy = h / 2.0 + (r.nextDouble() - 0.5) * (h - 2 * radius) * 0.6;
        double angle = (r.nextDouble() - 0.5) * 0.5;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double[] fg = new double[channels];
        double[] bg = new double[channels];
        if (channels == 3) {
            int[] hue = HUE_RGB[variant];
            double bright = 0.8 + 0.2 * r.nextDouble();
            double bgLevel = 40 + 80 * r.nextDouble();
            for (int c = 0; c < 3; c++) {
                fg[c] = hue[c] * bright;
                bg[c] = bgLevel + (r.nextDouble() - 0.5) * 30;
            }
        } else {
            double light = 170 + 70 * r.nextDouble();
            double dark = 20 + 60 * r.nextDouble();
            fg[0] = variant == 0 ? light : dark;
            bg[0] = variant == 0 ? dark : light;
        }
        byte[] out = new byte[w * h * channels];
        double inv = 1.0 / SUPERSAMPLE;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int inside = 0;
                for (int sy = 0; sy < SUPERSAMPLE; sy++) {
                    for (int sx = 0; sx < SUPERSAMPLE; sx++) {
                        double px = x + (sx + 0.5) * inv - cx;
                        double py = y + (sy + 0.5) * inv - cy;
                        double u = (px * cos + py * sin) / radius;
                        double v = (-px * sin + py * cos) / radius;
                        if (inside(shape, u, v)) {
                            inside++;
                        }
                    }
                }
                double a = inside / (double) (SUPERSAMPLE * SUPERSAMPLE);
                for (int c = 0; c < channels; c++) {
                    double value = bg[c] + (fg[c] - bg[c]) * a + r.nextGaussian() * noise;
                    out[(y * w + x) * channels + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(value)));
                }
            }
        }
        return out;
    }

    /** Shape membership in coordinates scaled so that the shape's radius is 1. */
    private static boolean inside(int shape, double u, double v) {
        double au = Math.abs(u);
        double av = Math.abs(v);
        return switch (shape) {
            case 0 -> u * u + v * v <= 1;
            case 1 -> au <= 0.8 && av <= 0.8;
            case 2 -> v >= -0.9 && v <= 0.7 && au <= 0.95 * (v + 0.9) / 1.6; // apex up, base at v = 0.7
            case 3 -> {
                double d = u * u + v * v;
                yield d <= 1 && d >= 0.4;
            }
            case 4 -> (au <= 0.25 && av <= 0.95) || (av <= 0.25 && au <= 0.95);
            case 5 -> au <= 0.95 && av <= 0.95 && ((int) Math.floor((v + 1) * 2.5)) % 2 == 0;
            case 6 -> au <= 0.95 && av <= 0.95 && ((int) Math.floor((u + 1) * 2.5)) % 2 == 0;
            default -> au + av <= 1;
        };
    }

    /**
     * Configures generated images.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private int classes = 3;
        private int width = 16;
        private int height = 16;
        private int channels = 1;
        private int perClass = 100;
        private long seed;
        private double noise = 12;

        private Builder() {
        }

        /** @param classes number of classes @return this */
        public Builder classes(int classes) {
            this.classes = classes;
            return this;
        }

        /** @param width image width @param height image height @return this */
        public Builder size(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        /** @param channels 1 or 3 @return this */
        public Builder channels(int channels) {
            this.channels = channels;
            return this;
        }

        /** @param perClass images per class @return this */
        public Builder perClass(int perClass) {
            this.perClass = perClass;
            return this;
        }

        /** @param seed random seed @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param noise standard deviation of the per-pixel Gaussian noise, in 8-bit levels @return this */
        public Builder noise(double noise) {
            this.noise = noise;
            return this;
        }

        /** @return the images, classes interleaved (0, 1, 2, 0, 1, 2 ...) */
        public ImageDataset build() {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels: expected 1 or 3, found " + channels);
            }
            if (width < 8 || height < 8) {
                throw new IllegalArgumentException("size: expected at least 8x8 for shapes to be recognisable, found " + width + "x" + height);
            }
            if (perClass < 1) {
                throw new IllegalArgumentException("perClass: expected at least 1, found " + perClass);
            }
            if (!(noise >= 0)) {
                throw new IllegalArgumentException("noise: expected a value >= 0, found " + noise);
            }
            List<String> names = classNames(classes, channels);
            int n = classes * perClass;
            byte[][] images = new byte[n][];
            int[] labels = new int[n];
            int w = width;
            int h = height;
            int c = channels;
            double sigma = noise;
            long base = seed;
            IntStream.range(0, n).parallel().forEach(i -> {
                labels[i] = i % classes;
                SplittableRandom r = new SplittableRandom(base * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 1);
                images[i] = render(i % classes, w, h, c, sigma, r);
            });
            return ImageDataset.of(width, height, channels, names, images, labels,
                    "synthetic(classes=" + classes + ", " + width + "x" + height + "x" + channels + ", perClass=" + perClass
                            + ", seed=" + seed + ", noise=" + noise + ")");
        }
    }
}
