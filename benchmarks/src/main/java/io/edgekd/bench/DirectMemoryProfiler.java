package io.edgekd.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Direct (native) memory a benchmark leaves allocated per operation, from the JVM's {@code direct}
 * {@link BufferPoolMXBean}: {@code direct.bytes.norm} and {@code direct.count.norm} are the growth of the bytes and
 * buffers in use over an iteration, divided by the operations in it. Use with {@code -prof
 * io.edgekd.bench.DirectMemoryProfiler}.
 *
 * <p>The pool reports buffers in use, not buffers ever allocated: a garbage collection during an iteration frees
 * the unreachable ones and hides them. So the result is the largest growth seen in any one iteration (a
 * {@code MAX} aggregate): iterations without a collection show the real rate. Zero means nothing direct was left
 * behind in any iteration. Native memory that ONNX Runtime allocates itself (its output tensors) is not a direct
 * buffer and shows only in the resident size (see {@code Soak}).
 *
 * <p>Thread safety: JMH calls it from one thread.
 */
public final class DirectMemoryProfiler implements InternalProfiler {
    private final BufferPoolMXBean pool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> "direct".equals(p.getName())).findFirst()
            .orElseThrow(() -> new IllegalStateException("expected a 'direct' buffer pool, found none"));
    private long bytes;
    private long count;

    @Override
    public String getDescription() {
        return "direct ByteBuffer memory left in use per operation (BufferPoolMXBean)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        bytes = pool.getMemoryUsed();
        count = pool.getCount();
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's InternalProfiler declares the raw type
    public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long ops = Math.max(1, result.getMetadata().getAllOps());
        double b = Math.max(0, pool.getMemoryUsed() - bytes) / (double) ops;
        double c = Math.max(0, pool.getCount() - count) / (double) ops;
        return List.of(new ScalarResult("direct.bytes.norm", b, "B/op", AggregationPolicy.MAX),
                new ScalarResult("direct.count.norm", c, "buffers/op", AggregationPolicy.MAX));
    }
}
