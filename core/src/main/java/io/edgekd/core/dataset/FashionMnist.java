package io.edgekd.core.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017; MIT licence): 70,000 gray 28x28 images of 10 clothing
 * classes in IDX format. Debian's {@code dataset-fashion-mnist} installs it in {@link #DEBIAN_DIR}; edgekd
 * ships a class-balanced sample (6,000 train + 1,000 test) in {@code data/fashion-mnist-sample}.
 *
 * <p>Thread safety: stateless.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The ten class names in label order. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The two halves of the data set. */
    public enum Part {
        /** 60,000 training images ({@code train-*}). */
        TRAIN("train"),
        /** 10,000 test images ({@code t10k-*}). */
        TEST("t10k");

        private final String prefix;

        Part(String prefix) {
            this.prefix = prefix;
        }

        /** @return the file-name prefix, {@code train} or {@code t10k} */
        public String prefix() {
            return prefix;
        }
    }

    private FashionMnist() {
    }

    /**
     * @param dir folder holding {@code train-images-idx3-ubyte[.gz]} and the other three files
     * @param part which half
     * @return the images, labelled with {@link #CLASSES}
     * @throws DatasetException if the folder or a file is missing or bad
     */
    public static ImageDataset load(Path dir, Part part) throws DatasetException {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir + ": expected a folder holding Fashion-MNIST IDX files, found "
                    + (Files.exists(dir) ? "a file" : "nothing") + " (install Debian's dataset-fashion-mnist, or use the sample in data/fashion-mnist-sample)");
        }
        Path images = find(dir, part.prefix() + "-images-idx3-ubyte");
        Path labels = find(dir, part.prefix() + "-labels-idx1-ubyte");
        return IdxFiles.load(images, labels, CLASSES);
    }

    /**
     * @param dir a folder
     * @return whether it holds all four Fashion-MNIST files
     */
    public static boolean isPresent(Path dir) {
        for (Part p : Part.values()) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                String base = p.prefix() + kind;
                if (!Files.isRegularFile(dir.resolve(base + ".gz")) && !Files.isRegularFile(dir.resolve(base))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Path find(Path dir, String base) throws DatasetException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new DatasetException(dir + ": expected " + base + ".gz or " + base + ", found neither");
    }
}
