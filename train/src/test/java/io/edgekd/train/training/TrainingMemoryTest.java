package io.edgekd.train.training;

import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.SyntheticImages;
import io.edgekd.core.spec.ModelRole;
import io.edgekd.train.Fixtures;
import io.edgekd.train.network.StudentNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every run trains on a thread of its own, and ND4J keeps its workspaces (the preallocated activation and gradient
 * memory, hundreds of megabytes for the default student at batch 64) per thread, outside the Java heap: a run must hand
 * them back when it ends, or a process that trains run after run (an experiment's seeds and arms) grows by that much
 * per run. Measured here: the resident size over several runs of the default student stays flat.
 */
class TrainingMemoryTest {
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void runAfterRunTheResidentSizeStaysFlat() throws Exception {
        ImageDataset data = SyntheticImages.builder().classes(3).size(28, 28).channels(1).perClass(86).seed(3).noise(10).build();
        long[] after = new long[6];
        for (int run = 0; run < after.length; run++) {
            SupervisedTrainer.builder().family(StudentNetwork.builder().build()).role(ModelRole.STUDENT)
                    .options(Fixtures.options("memory-" + run, 1).batchSize(64).seed(run).build()).build().train(data, data);
            System.gc();
            Thread.sleep(200);
            after[run] = residentBytes();
        }
        long[] mb = Arrays.stream(after).map(b -> b >> 20).toArray();
        System.out.println("resident MB after each run: " + Arrays.toString(mb));
        // A new thread per run (no reuse) climbs steadily here: 520, 872, 1028, 1219, 1565, 1628 MB, a median of 191 MB per
        // run (batch 64, 28x28, the default student). The noise of the fixed code has other shapes: a step taken once
        // (706, 707, 707, 707, 707, 756 MB) or a spike that goes back (848, 841, 841, 1083, 841, 848 MB), both on this
        // 2-core machine. So the test looks at the typical run, the median of the five run-to-run increments, which one
        // step or spike cannot move (nor two of them). A bound on the total growth would fail on a spike at the last run.
        long[] increments = new long[after.length - 1];
        for (int i = 1; i < after.length; i++) {
            increments[i - 1] = after[i] - after[i - 1];
        }
        Arrays.sort(increments);
        long median = increments[increments.length / 2];
        assertTrue(median < 10L << 20, String.format("resident size after each run (MB): %s; the median run added %d MB",
                Arrays.toString(mb), median >> 20));
    }
}
