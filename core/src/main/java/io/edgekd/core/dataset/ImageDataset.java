package io.edgekd.core.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Labelled 8-bit images of one size: the dataset representation every edgekd module shares.
 *
 * <p>Each image is {@code height * width * channels} bytes, packed row by row with interleaved channels
 * (HWC): gray for one channel, R, G, B for three. Labels are class indices into {@link #classes()}.
 *
 * <p>A dataset is an immutable <em>view</em>: {@link #subset(int[])}, {@link #shuffle(long)},
 * {@link #selectClasses(List)}, {@link #split(double, long)} and {@link #batch(int, int)} return new views
 * that share the pixels and copy only an index array, so batching and splitting never copy images.
 *
 * <pre>{@code
 * ImageDataset train = FashionMnist.load(dir, FashionMnist.Part.TRAIN);
 * ImageDataset shoes = train.selectClasses(List.of("Sneaker", "Ankle boot"));   // binary task, relabelled 0/1
 * Split split = shoes.split(0.1, 42);                                            // stratified, seeded
 * }</pre>
 *
 * <p>Thread safety: immutable and safe to share; the fingerprint is computed once, lazily.
 */
public final class ImageDataset {
    private final int width;
    private final int height;
    private final int channels;
    private final List<String> classes;
    /** Shared, never modified after construction. */
    private final byte[][] images;
    private final int[] index;
    private final int[] labels;
    private final String source;
    private volatile String fingerprint;

    private ImageDataset(int width, int height, int channels, List<String> classes, byte[][] images, int[] index,
                         int[] labels, String source) {
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.classes = classes;
        this.images = images;
        this.index = index;
        this.labels = labels;
        this.source = source;
    }

    /**
     * Creates a dataset that takes ownership of the given arrays (they must not be modified afterwards).
     *
     * @param width    image width
     * @param height   image height
     * @param channels 1 (gray) or 3 (RGB)
     * @param classes  class names, unique, at least one
     * @param images   one packed HWC array per image, each exactly {@code width*height*channels} bytes
     * @param labels   class index of each image
     * @param source   a short description of where the data came from, for reports and provenance
     * @return the dataset
     * @throws IllegalArgumentException if sizes or labels are inconsistent
     */
    public static ImageDataset of(int width, int height, int channels, List<String> classes, byte[][] images,
                                  int[] labels, String source) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size: expected positive width and height, found " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels: expected 1 or 3, found " + channels);
        }
        List<String> cls = List.copyOf(classes);
        if (cls.isEmpty()) {
            throw new IllegalArgumentException("classes: expected at least one class name, found none");
        }
        Set<String> seen = new HashSet<>();
        for (String c : cls) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("classes: expected unique names, found '" + c + "' twice in " + cls);
            }
        }
        if (images.length != labels.length) {
            throw new IllegalArgumentException("expected as many labels as images, found " + images.length + " images and "
                    + labels.length + " labels");
        }
        int bytes = width * height * channels;
        for (int i = 0; i < images.length; i++) {
            if (images[i] == null || images[i].length != bytes) {
                throw new IllegalArgumentException("image " + i + ": expected " + bytes + " bytes (" + width + "x" + height
                        + "x" + channels + "), found " + (images[i] == null ? "null" : images[i].length));
            }
            if (labels[i] < 0 || labels[i] >= cls.size()) {
                throw new IllegalArgumentException("label of image " + i + ": expected 0 to " + (cls.size() - 1)
                        + ", found " + labels[i]);
            }
        }
        int[] identity = new int[images.length];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return new ImageDataset(width, height, channels, cls, images, identity, labels.clone(),
                Objects.requireNonNull(source, "source"));
    }

    /** @return number of images in this view */
    public int size() {
        return index.length;
    }

    /** @return image width */
    public int width() {
        return width;
    }

    /** @return image height */
    public int height() {
        return height;
    }

    /** @return channels: 1 (gray) or 3 (RGB) */
    public int channels() {
        return channels;
    }

    /** @return bytes per image, {@code width * height * channels} */
    public int imageBytes() {
        return width * height * channels;
    }

    /** @return class names; label {@code i} means {@code classes().get(i)} */
    public List<String> classes() {
        return classes;
    }

    /** @return number of classes */
    public int numClasses() {
        return classes.size();
    }

    /** @return where the data came from */
    public String source() {
        return source;
    }

    /** @param i image index in this view @return its class index */
    public int label(int i) {
        return labels[i];
    }

    /** @return a copy of all labels in view order */
    public int[] labels() {
        return labels.clone();
    }

    /** @return number of images of each class */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /**
     * Copies image {@code i} (packed HWC) into {@code dst}.
     *
     * @param i         image index
     * @param dst       destination
     * @param dstOffset first byte written
     */
    public void copyImage(int i, byte[] dst, int dstOffset) {
        System.arraycopy(images[index[i]], 0, dst, dstOffset, imageBytes());
    }

    /**
     * @param i image index
     * @return a read-only view of image {@code i}'s packed HWC bytes (no copy)
     */
    public ByteBuffer imageBuffer(int i) {
        return ByteBuffer.wrap(images[index[i]]).asReadOnlyBuffer();
    }

    /**
     * @param i image index
     * @param y row
     * @param x column
     * @param c channel
     * @return the pixel value, 0..255
     */
    public int pixel(int i, int y, int x, int c) {
        return images[index[i]][(y * width + x) * channels + c] & 0xFF;
    }

    /**
     * @param indices positions in this view, in the order wanted (repeats allowed)
     * @return a view of those images
     */
    public ImageDataset subset(int[] indices) {
        int[] idx = new int[indices.length];
        int[] lab = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= index.length) {
                throw new IndexOutOfBoundsException("subset index " + k + ": expected 0 to " + (index.length - 1) + ", found " + i);
            }
            idx[k] = index[i];
            lab[k] = labels[i];
        }
        return new ImageDataset(width, height, channels, classes, images, idx, lab, source);
    }

    /**
     * @param from first position, inclusive
     * @param to   last position, exclusive
     * @return a view of the positions {@code [from, to)}
     */
    public ImageDataset range(int from, int to) {
        if (from < 0 || to > index.length || from > to) {
            throw new IndexOutOfBoundsException("range: expected 0 <= from <= to <= " + index.length + ", found [" + from + ", " + to + ")");
        }
        return new ImageDataset(width, height, channels, classes, images, Arrays.copyOfRange(index, from, to),
                Arrays.copyOfRange(labels, from, to), source);
    }

    /**
     * @param b         batch number, from 0
     * @param batchSize images per batch; the last batch may be smaller
     * @return a view of batch {@code b}
     */
    public ImageDataset batch(int b, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize: expected a positive size, found " + batchSize);
        }
        int from = b * batchSize;
        return range(from, Math.min(index.length, from + batchSize));
    }

    /** @param batchSize images per batch @return number of batches, the last possibly partial */
    public int batchCount(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize: expected a positive size, found " + batchSize);
        }
        return (index.length + batchSize - 1) / batchSize;
    }

    /**
     * @param seed random seed
     * @return the same images in an order determined only by the seed and this view's order
     */
    public ImageDataset shuffle(long seed) {
        int[] order = permutation(index.length, new SplittableRandom(seed));
        return subset(order);
    }

    /**
     * Keeps the named classes and relabels them {@code 0..k-1} in the order given: how binary, ternary and
     * 5-class tasks are cut from a 10-class set.
     *
     * @param names classes to keep, at least one, all present in {@link #classes()}
     * @return the view
     * @throws IllegalArgumentException naming the unknown class and the known ones
     */
    public ImageDataset selectClasses(List<String> names) {
        Map<String, String> identity = new HashMap<>();
        for (String n : names) {
            identity.put(n, n);
        }
        if (identity.size() != names.size()) {
            throw new IllegalArgumentException("classes: expected unique names, found " + names);
        }
        return mapClasses(identity, names);
    }

    /**
     * Relabels classes, merging several into one where the mapping says so; images of classes the mapping
     * does not mention are dropped.
     *
     * @param mapping  old class name to new class name
     * @param newOrder the new class names in label order; every mapping value must be among them
     * @return the view
     */
    public ImageDataset mapClasses(Map<String, String> mapping, List<String> newOrder) {
        int[] newLabel = new int[classes.size()];
        Arrays.fill(newLabel, -1);
        for (Map.Entry<String, String> e : mapping.entrySet()) {
            int old = classes.indexOf(e.getKey());
            if (old < 0) {
                throw new IllegalArgumentException("class '" + e.getKey() + "': expected one of " + classes + ", found none by that name");
            }
            int nl = newOrder.indexOf(e.getValue());
            if (nl < 0) {
                throw new IllegalArgumentException("class '" + e.getValue() + "': expected it among the new classes " + newOrder);
            }
            newLabel[old] = nl;
        }
        int n = 0;
        for (int l : labels) {
            if (newLabel[l] >= 0) {
                n++;
            }
        }
        int[] idx = new int[n];
        int[] lab = new int[n];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            int nl = newLabel[labels[i]];
            if (nl >= 0) {
                idx[k] = index[i];
                lab[k++] = nl;
            }
        }
        List<String> order = List.copyOf(newOrder);
        if (new HashSet<>(order).size() != order.size() || order.isEmpty()) {
            throw new IllegalArgumentException("new classes: expected unique names, at least one, found " + order);
        }
        return new ImageDataset(width, height, channels, order, images, idx, lab, source);
    }

    /**
     * Stratified split: each class is shuffled with the seed and {@code round(fraction * count)} of its images
     * go to validation, so both parts keep the class balance. The order within each part follows this view.
     *
     * @param validationFraction fraction for validation, in (0, 1)
     * @param seed               random seed
     * @return train and validation views
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction: expected a value in (0, 1), found " + validationFraction);
        }
        boolean[] toValidation = new boolean[index.length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int[] members : membersByClass()) {
            int take = (int) Math.round(validationFraction * members.length);
            int[] order = permutation(members.length, random);
            for (int k = 0; k < take; k++) {
                toValidation[members[order[k]]] = true;
            }
        }
        int nv = 0;
        for (boolean v : toValidation) {
            if (v) {
                nv++;
            }
        }
        int[] train = new int[index.length - nv];
        int[] val = new int[nv];
        int t = 0;
        int v = 0;
        for (int i = 0; i < index.length; i++) {
            if (toValidation[i]) {
                val[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new Split(subset(train), subset(val));
    }

    /**
     * @param perClass images to keep of each class (all of a class that has fewer)
     * @param seed     random seed choosing which
     * @return a class-balanced view, in this view's order
     */
    public ImageDataset balanced(int perClass, long seed) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("perClass: expected a positive count, found " + perClass);
        }
        boolean[] keep = new boolean[index.length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int[] members : membersByClass()) {
            int[] order = permutation(members.length, random);
            for (int k = 0; k < Math.min(perClass, members.length); k++) {
                keep[members[order[k]]] = true;
            }
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                kept.add(i);
            }
        }
        return subset(kept.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * A SHA-256 over the size, class names, labels and pixels of this view, in order: two views with equal
     * fingerprints hold the same examples in the same order. Recorded in model provenance.
     *
     * @return lower-case hex digest
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = computeFingerprint();
            fingerprint = f;
        }
        return f;
    }

    private String computeFingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        sha.update((width + "x" + height + "x" + channels + ":" + String.join("\u0000", classes))
                .getBytes(StandardCharsets.UTF_8));
        byte[] label = new byte[4];
        for (int i = 0; i < index.length; i++) {
            int l = labels[i];
            label[0] = (byte) (l >>> 24);
            label[1] = (byte) (l >>> 16);
            label[2] = (byte) (l >>> 8);
            label[3] = (byte) l;
            sha.update(label);
            sha.update(images[index[i]]);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private int[][] membersByClass() {
        int[] counts = classCounts();
        int[][] members = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            members[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][fill[labels[i]]++] = i;
        }
        return members;
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} (Fisher–Yates), the one shuffle every edgekd module uses so
     * that the same seed gives the same order everywhere.
     *
     * @param n      length
     * @param random random stream
     * @return the permutation
     */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public String toString() {
        return "ImageDataset[" + index.length + " images " + width + "x" + height + "x" + channels + ", "
                + classes.size() + " classes " + classes + ", from " + source + "]";
    }
}
