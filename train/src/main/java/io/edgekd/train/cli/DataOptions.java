package io.edgekd.train.cli;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.Split;
import io.edgekd.train.data.DataSource;
import picocli.CommandLine.Option;

/**
 * The command line's data options, shared by every command that reads a dataset.
 *
 * <p>Thread safety: filled by picocli on one thread.
 */
public final class DataOptions {
    @Option(names = "--data", defaultValue = "sample", paramLabel = "DATA",
            description = "sample (shipped Fashion-MNIST sample), fashion-mnist (Debian's full set), a folder of IDX files, "
                    + "a folder with one subfolder per class, or synthetic:CLASSES:SIZE:CHANNELS:PER_CLASS (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--classes", paramLabel = "A,B,...", description = "keep these classes (names or indices), in this order")
    String classes;

    @Option(names = "--size", defaultValue = "64", description = "image side for class folders (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--channels", defaultValue = "3", description = "1 or 3, for class folders (default: ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "held-out test share for class folders (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--validation-fraction", defaultValue = "0.1",
            description = "share of the training part kept for validation (default: ${DEFAULT-VALUE})")
    double validationFraction;

    @Option(names = "--per-class", defaultValue = "0", description = "use at most this many training images per class, 0 for all")
    int perClass;

    @Option(names = "--data-seed", defaultValue = "1", description = "seed of the splits and subsets (default: ${DEFAULT-VALUE})")
    long dataSeed;

    /** The data a command works on. */
    record Loaded(String name, ImageDataset train, ImageDataset validation, ImageDataset test) {
    }

    Loaded load(boolean quiet) throws DatasetException {
        DataSource src = DataSource.resolve(data, size, channels, testFraction, dataSeed,
                quiet ? io.edgekd.core.dataset.ProgressListener.NONE : (done, total) -> {
                    if (done == total || done % 1000 == 0) {
                        System.err.printf("\rdecoding images %d/%d", done, total);
                        if (done == total) {
                            System.err.println();
                        }
                    }
                });
        ImageDataset train = DataSource.selectClasses(src.train(), classes);
        ImageDataset test = DataSource.selectClasses(src.test(), classes);
        if (perClass > 0) {
            train = train.balanced(perClass, dataSeed);
        }
        Split split = train.split(validationFraction, dataSeed);
        return new Loaded(src.name(), split.train(), split.validation(), test);
    }
}
