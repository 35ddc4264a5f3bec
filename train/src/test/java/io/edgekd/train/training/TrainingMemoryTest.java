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
        long growth = after[after.length - 1] - after[1];
        System.out.println("resident MB after each run: " + Arrays.toString(Arrays.stream(after).map(b -> b >> 20).toArray()));
        // Without the hand-back each run keeps about 100 MB here (batch 64, 28x28, the default student); allow a
        // quarter of one run's worth over four runs for allocator noise.
        assertTrue(growth < 25L << 20, String.format("resident size after each run (MB): %s; grew %d MB over the last four runs",
                Arrays.toString(Arrays.stream(after).map(b -> b >> 20).toArray()), growth >> 20));
    }
}
