package io.edgekd.examples.camera;

import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.output.FrameOutput;
import io.edgekd.examples.source.FrameSource;
import io.edgekd.examples.source.VideoFrame;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady-state frame loop (take, classify with the padded stride, overlay, output, JSON log, stage times)
 * allocates nothing of ours per frame: what its thread allocates per frame equals what ONNX Runtime's Java
 * binding allocates for one classify on its own (~0.4 KB of its Result bookkeeping), measured with ThreadMXBean.
 */
@Timeout(120)
class FrameLoopAllocationTest {
    static final int W = 640;
    static final int H = 480;
    static final int STRIDE = 1984;   // 640 * 3 = 1920, padded to 64 bytes as FFmpeg does
    static final int WARM = 300;
    static final int MEASURED = 1000;

    @TempDir
    Path dir;

    /** Frames from memory, as many as asked for, lossless hand-off (a file-like source). */
    static final class MemorySource implements FrameSource {
        final ByteBuffer[] frames = new ByteBuffer[4];
        final int total;
        int next;

        MemorySource(int total) {
            this.total = total;
            for (int i = 0; i < frames.length; i++) {
                byte[] packed = TestVideos.frame(i * 11, W, H);
                frames[i] = ByteBuffer.allocateDirect(STRIDE * H).order(ByteOrder.nativeOrder());
                for (int y = 0; y < H; y++) {
                    frames[i].put(y * STRIDE, packed, y * W * 3, W * 3);
                }
            }
        }

        @Override
        public boolean read(VideoFrame into) {
            if (next == total) {
                return false;
            }
            ByteBuffer dst = into.ensureCapacity(STRIDE * H);
            dst.put(0, frames[next % frames.length], 0, STRIDE * H);
            into.describe(W, H, STRIDE, PixelFormat.BGR24);
            into.stamp(next, next * 40_000L, System.currentTimeMillis(), 1000);
            next++;
            return true;
        }

        @Override
        public void rewind() {
            next = 0;
        }

        @Override
        public boolean isLive() {
            return false;
        }

        @Override
        public int width() {
            return W;
        }

        @Override
        public int height() {
            return H;
        }

        @Override
        public double frameRate() {
            return 25;
        }

        @Override
        public String description() {
            return "memory";
        }

        @Override
        public void close() {
        }
    }

    /** Consumes frames the way an output does (reads every row) without keeping them. */
    static final class ChecksumOutput implements FrameOutput {
        long sum;

        @Override
        public void write(VideoFrame frame) {
            ByteBuffer p = frame.pixels();
            for (int y = 0; y < frame.height(); y += 16) {
                sum += p.get(y * frame.stride() + 7);
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void steadyStateAllocatesOnlyWhatOnnxRuntimeDoes() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        Path model = TestVideos.model(dir);
        try (EdgeClassifier classifier = EdgeClassifier.open(model, EdgeOptions.defaults())) {
            // ORT's own share: classify alone, on this thread, on the same kind of frame.
            MemorySource frames = new MemorySource(1);
            Classification top = classifier.newResult(3);
            for (int i = 0; i < WARM; i++) {
                classifier.classify(frames.frames[0], 0, W, H, STRIDE, PixelFormat.BGR24, top);
            }
            long b0 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                classifier.classify(frames.frames[i & 3], 0, W, H, STRIDE, PixelFormat.BGR24, top);
            }
            double ortPerFrame = (mx.getCurrentThreadAllocatedBytes() - b0) / (double) MEASURED;

            long[] marks = new long[2];
            int[] count = new int[1];
            FrameListener l = (VideoFrame f, Classification t, long inferNanos) -> {
                int n = ++count[0];
                if (n == WARM) {
                    marks[0] = mx.getCurrentThreadAllocatedBytes();
                } else if (n == WARM + MEASURED) {
                    marks[1] = mx.getCurrentThreadAllocatedBytes();
                }
            };
            ChecksumOutput output = new ChecksumOutput();
            PredictionLog log = new PredictionLog(dir.resolve("p.jsonl"), classifier.labels());
            FrameLoop loop = FrameLoop.builder(classifier, new MemorySource(WARM + MEASURED + 10)).output(output).log(log).listener(l).top(3)
                    .build();
            FrameLoop.Result r = loop.run();
            assertEquals(ExitCode.OK, r.code(), r.message());
            assertEquals(WARM + MEASURED + 10, r.frames());
            double loopPerFrame = (marks[1] - marks[0]) / (double) MEASURED;
            assertTrue(ortPerFrame > 100 && ortPerFrame < 2048, "ORT alone: " + ortPerFrame + " B/frame");
            assertTrue(loopPerFrame >= ortPerFrame - 16, "the measurement saw ORT's share: " + loopPerFrame + " B/frame");
            assertTrue(loopPerFrame - ortPerFrame < 16,
                    "the loop allocates " + loopPerFrame + " B/frame against ONNX Runtime's own " + ortPerFrame + " B/frame");
        }
    }
}
