package io.edgekd.platform;

import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbabilityDumpTest {
    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    static final Path MODEL = ROOT.resolve("native/aarch64/student-fashion-sample.onnx");

    @Test
    void theShippedStudentDumpsProbabilitiesThatReadBackAndMatchThemselves(@TempDir Path dir) throws Exception {
        ImageDataset test = FashionMnist.load(ROOT.resolve("data/fashion-mnist-sample"), FashionMnist.Part.TEST).range(0, 200);
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        assertEquals(200, ProbabilityDump.dump(MODEL, test, a));
        ProbabilityDump.dump(MODEL, test, b);
        ProbabilityComparison.Dump d = ProbabilityComparison.read(a);
        assertEquals(ProbabilityDump.sha256(MODEL), d.header().get("model"));
        int correct = 0;
        for (int i = 0; i < 200; i++) {
            float sum = 0;
            for (float p : d.probabilities()[i]) {
                sum += p;
            }
            assertEquals(1f, sum, 1e-5f, "image " + i + ": probabilities sum to 1");
            if (d.top1()[i] == test.label(i)) {
                correct++;
            }
        }
        // The student scores 0.818 on the whole test split (README); far less means a wrong model or preprocessing.
        assertTrue(correct >= 140, "top-1 correct on " + correct + " of 200");
        // Same CPU, one thread: bit for bit the same numbers.
        ProbabilityComparison.Result r = ProbabilityComparison.compare(d, ProbabilityComparison.read(b), 0);
        assertTrue(r.passed(), r.summary());
        assertTrue(Files.readString(a).startsWith("# model "));
    }
}
