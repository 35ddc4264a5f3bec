package io.edgekd.bench;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Soak run: a million classifications of 28x28 frames on one classifier (or, given an input size, of raw 640x480 BGR
 * camera frames on the model for that size), printing the process's resident memory (VmRSS) and the heap in use
 * along the way. Native memory that leaks per frame shows as RSS growth after the first 10,000 frames; garbage per
 * frame shows as GC activity, not as growth.
 *
 * <pre>
 *   benchmarks/run-soak.sh [frames] [model] [CxHxW]
 *   benchmarks/run-soak.sh 50000 student 3x224x224
 * </pre>
 */
public final class Soak {
    private Soak() {
    }

    /**
     * @param args frames (default 1,000,000), model name (default student) and input size (default: 28x28 gray
     *             frames on the first benchmarks' models)
     * @throws Exception if the model cannot be opened
     */
    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String model = args.length > 1 ? args[1] : "student";
        boolean camera = args.length > 2;
        Path file = camera ? BenchModels.onnx(model, args[2], 10, false) : BenchModels.model(model);
        int width = camera ? 640 : 28;
        int height = camera ? 480 : 28;
        PixelFormat format = camera ? PixelFormat.BGR24 : PixelFormat.GRAY8;
        SplittableRandom r = new SplittableRandom(3);
        // Camera frames are 900 KB each: 8 of them fit the soak's fixed 64 MB heap.
        byte[][] inputs = new byte[camera ? 8 : 64][width * height * (camera ? 3 : 1)];
        for (byte[] f : inputs) {
            r.nextBytes(f);
        }
        long rss10k = 0;
        long t0 = System.nanoTime();
        try (EdgeClassifier c = EdgeClassifier.open(file, EdgeOptions.builder().intraOpThreads(1).build())) {
            Classification top = c.newResult(1);
            long checksum = 0;
            for (int i = 1; i <= frames; i++) {
                c.classify(inputs[i & (inputs.length - 1)], width, height, format, top);
                checksum += top.index(0);
                if (i == 10_000 || i % 100_000 == 0 || i == frames) {
                    long rss = rssKiB();
                    if (i == 10_000) {
                        rss10k = rss;
                    }
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf(Locale.ROOT, "%,10d frames  RSS %,8d KiB  heap used %,8d KiB  %.4f ms/frame%s%n", i, rss,
                            (rt.totalMemory() - rt.freeMemory()) / 1024, (System.nanoTime() - t0) / 1e6 / i,
                            rss10k > 0 && i > 10_000 ? String.format(Locale.ROOT, "  growth since 10k: %+.2f%%", 100.0 * (rss - rss10k) / rss10k) : "");
                }
            }
            System.out.println("checksum " + checksum);
        }
    }

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
