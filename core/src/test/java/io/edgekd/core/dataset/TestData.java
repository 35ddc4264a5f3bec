package io.edgekd.core.dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the data the project ships, as seen from a module's test working directory. */
final class TestData {
    private TestData() {
    }

    static Path sampleDir() {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../data/fashion-mnist-sample").normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("the shipped sample is missing: expected " + p);
        }
        return p;
    }
}
