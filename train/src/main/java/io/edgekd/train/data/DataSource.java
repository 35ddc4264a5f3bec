package io.edgekd.train.data;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.ImageFolderReader;
import io.edgekd.core.dataset.ProgressListener;
import io.edgekd.core.dataset.Split;
import io.edgekd.core.dataset.SyntheticImages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the command line's {@code --data} points, resolved to a training part and a test part.
 *
 * <ul>
 *   <li>{@code sample}: the Fashion-MNIST sample shipped in {@code data/fashion-mnist-sample} (6,000 + 1,000);</li>
 *   <li>{@code fashion-mnist}: Debian's full set in {@code /usr/share/datasets/fashion-mnist} (60,000 + 10,000);</li>
 *   <li>a folder of IDX files ({@code train-images-idx3-ubyte[.gz]} and the other three): its train and
 *       {@code t10k} parts, with Fashion-MNIST's class names when it has ten classes;</li>
 *   <li>a folder with one subfolder per class: images resized on load to {@code size} and {@code channels}, a
 *       seeded stratified {@code testFraction} held out as the test part;</li>
 *   <li>{@code synthetic:CLASSES:SIZE:CHANNELS:PER_CLASS}: generated shapes, a fifth held out.</li>
 * </ul>
 *
 * @param name  what was loaded, for reports
 * @param train the training part
 * @param test  the test part
 */
public record DataSource(String name, ImageDataset train, ImageDataset test) {
    /** The shipped sample's folder relative to the project root. */
    public static final String SAMPLE_DIR = "data/fashion-mnist-sample";

    /**
     * @param spec         the {@code --data} value
     * @param size         image side for folder datasets
     * @param channels     channels for folder datasets
     * @param testFraction held-out fraction for folder and synthetic datasets
     * @param seed         seed of that split
     * @param progress     receives decoding progress of folder datasets
     * @return the data
     * @throws DatasetException if the data cannot be found or read
     */
    public static DataSource resolve(String spec, int size, int channels, double testFraction, long seed, ProgressListener progress)
            throws DatasetException {
        String s = spec.trim();
        if (s.equals("sample")) {
            Path dir = findSample();
            return new DataSource("Fashion-MNIST sample (" + dir + ")", FashionMnist.load(dir, FashionMnist.Part.TRAIN),
                    FashionMnist.load(dir, FashionMnist.Part.TEST));
        }
        if (s.equals("fashion-mnist")) {
            return fromIdx(FashionMnist.DEBIAN_DIR, "Fashion-MNIST (" + FashionMnist.DEBIAN_DIR + ")");
        }
        if (s.startsWith("synthetic:")) {
            String[] f = s.split(":");
            if (f.length != 5) {
                throw new DatasetException("--data " + s + ": expected synthetic:CLASSES:SIZE:CHANNELS:PER_CLASS, found " + (f.length - 1) + " fields");
            }
            try {
                ImageDataset all = SyntheticImages.builder().classes(Integer.parseInt(f[1])).size(Integer.parseInt(f[2]), Integer.parseInt(f[2]))
                        .channels(Integer.parseInt(f[3])).perClass(Integer.parseInt(f[4])).seed(seed).build();
                Split split = all.split(testFraction, seed);
                return new DataSource(all.source(), split.train(), split.validation());
            } catch (IllegalArgumentException e) {
                throw new DatasetException("--data " + s + ": " + e.getMessage(), e);
            }
        }
        Path dir = Path.of(s);
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("--data " + s + ": expected 'sample', 'fashion-mnist', 'synthetic:...' or a folder, found "
                    + (Files.exists(dir) ? "a file" : "nothing at that path"));
        }
        if (hasIdx(dir)) {
            return fromIdx(dir, dir.toString());
        }
        ImageFolderReader.Result r = ImageFolderReader.builder().size(size, size).channels(channels).progress(progress).build().read(dir);
        Split split = r.dataset().split(testFraction, seed);
        String skipped = r.skipped().isEmpty() ? "" : ", " + r.skipped().size() + " unreadable images skipped";
        return new DataSource(dir + skipped, split.train(), split.validation());
    }

    private static DataSource fromIdx(Path dir, String name) throws DatasetException {
        ImageDataset train = FashionMnist.load(dir, FashionMnist.Part.TRAIN);
        ImageDataset test = FashionMnist.load(dir, FashionMnist.Part.TEST);
        return new DataSource(name, train, test);
    }

    private static boolean hasIdx(Path dir) {
        return FashionMnist.isPresent(dir);
    }

    /**
     * Looks for the shipped sample: {@code -Dedgekd.sample=DIR}, then {@code data/fashion-mnist-sample} in the
     * working folder and its parents, then beside the running jar and its parents.
     *
     * @return the folder
     * @throws DatasetException when it is nowhere
     */
    public static Path findSample() throws DatasetException {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("edgekd.sample");
        if (prop != null) {
            Path p = Path.of(prop);
            if (FashionMnist.isPresent(p)) {
                return p;
            }
            tried.add(p);
        }
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            Path jar = Path.of(DataSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            starts.add(jar.toAbsolutePath());
        } catch (Exception e) {
            // No code source (an unusual class loader): the working folder is all there is to search.
        }
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                Path candidate = p.resolve(SAMPLE_DIR);
                if (FashionMnist.isPresent(candidate)) {
                    return candidate;
                }
                tried.add(candidate);
            }
        }
        throw new DatasetException("the shipped Fashion-MNIST sample: expected " + SAMPLE_DIR + " in the project, found it in none of "
                + tried.stream().limit(6).toList() + " (run from the project folder, or pass -Dedgekd.sample=DIR)");
    }

    /**
     * @param data     a dataset
     * @param selector comma-separated class names or indices, or null/blank for all
     * @return the selected classes, relabelled in the order given
     */
    public static ImageDataset selectClasses(ImageDataset data, String selector) {
        if (selector == null || selector.isBlank()) {
            return data;
        }
        List<String> names = new ArrayList<>();
        for (String part : selector.split(",")) {
            String t = part.trim();
            if (t.matches("\\d+") && !data.classes().contains(t)) {
                int idx = Integer.parseInt(t);
                if (idx >= data.numClasses()) {
                    throw new IllegalArgumentException("--classes: expected indices 0 to " + (data.numClasses() - 1) + ", found " + idx);
                }
                names.add(data.classes().get(idx));
            } else {
                String match = data.classes().stream().filter(c -> c.equalsIgnoreCase(t)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--classes: '" + t + "' is not a class of the data; expected one of "
                                + data.classes()));
                names.add(match);
            }
        }
        return data.selectClasses(names);
    }

    /**
     * @param name a file-friendly version of a label
     * @return lower-case letters, digits and dashes
     */
    public static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
