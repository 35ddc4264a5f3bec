package io.edgekd.train.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepares ND4J for training, once per process, before the first network is built or loaded.
 *
 * <p>Deeplearning4j M2.1 ships oneDNN-accelerated convolution, batch-norm and pooling layers ("helpers") but
 * never uses them: they are off unless {@value #HELPERS_PROPERTY} is {@code false}, and their availability check
 * looks up a class ND4J renamed (restored by {@link org.nd4j.nativeblas.Nd4jCpu}). With the {@code -onednn}
 * native build on the class path (ND4J's loader prefers it) and both fixes, training here runs 6–8 times
 * faster with identical outputs. On a build without oneDNN (aarch64, or the CUDA backend) the helpers stay off
 * and the generic kernels run, correctly, as before. Networks must use NCHW: oneDNN's helpers give wrong
 * gradients for NHWC in this release.
 *
 * <p>Thread safety: {@link #init()} is synchronized and idempotent.
 */
public final class TrainingBackend {
    /** The system property DL4J reads each time it builds a layer. */
    public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    /** At most one collection per this many nanoseconds from {@link #releaseNativeGarbage()}. */
    static final long GC_WINDOW_NANOS = 10_000_000_000L;

    private static final AtomicLong LAST_GC = new AtomicLong(System.nanoTime());

    private static Info info;

    private TrainingBackend() {
    }

    /**
     * Lets the garbage collector free ND4J's off-heap buffers, at most once every ten seconds; training loops call
     * it every iteration.
     *
     * <p>ND4J frees an array's native memory only when the collector reclaims its small Java wrapper. A training
     * step leaves megabytes of such arrays behind (the teacher at batch 64: about 16 MB), their wrappers overflow
     * the survivor spaces into the old generation, and with little heap pressure the old generation is never
     * collected: measured on the 2-core machine, resident memory grew by 40 MB/s until the kernel killed the JVM at
     * 24 GB. One full collection gives it all back (the resident size then stays flat, the freed memory is reused),
     * and a collection of this heap takes about 0.1 s, so ten-second windows cost about 1% of training time.
     */
    public static void releaseNativeGarbage() {
        long now = System.nanoTime();
        long last = LAST_GC.get();
        if (now - last >= GC_WINDOW_NANOS && LAST_GC.compareAndSet(last, now)) {
            System.gc();
        }
    }

    /**
     * What the backend turned out to be.
     *
     * @param backend       ND4J backend name (CPU, CUDA)
     * @param oneDnnBuild   whether the native library was built with oneDNN
     * @param helpersWanted whether DL4J's layer helpers are switched on
     * @param threads       OpenMP threads ND4J uses
     * @param blas          the BLAS vendor
     */
    public record Info(String backend, boolean oneDnnBuild, boolean helpersWanted, int threads, String blas) {
        /** @return one line for logs and reports */
        public String describe() {
            return String.format(Locale.ROOT, "ND4J %s backend, %s, %d thread(s), %s", backend,
                    oneDnnBuild ? (helpersWanted ? "oneDNN layer helpers on" : "oneDNN build, helpers off")
                            : "generic kernels (no oneDNN build)", threads, blas);
        }
    }

    /**
     * Switches DL4J's layer helpers on (unless the caller set {@value #HELPERS_PROPERTY} already) and loads ND4J.
     *
     * @return what was loaded
     */
    public static synchronized Info init() {
        if (info != null) {
            return info;
        }
        System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
        if (System.getProperty(HELPERS_PROPERTY) == null) {
            System.setProperty(HELPERS_PROPERTY, "false");
        }
        boolean wanted = !Boolean.parseBoolean(System.getProperty(HELPERS_PROPERTY));
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getOrDefault("backend", "unknown"));
        int threads = parseInt(env.get("omp.threads"));
        String blas = String.valueOf(env.getOrDefault("blas.vendor", "unknown BLAS"));
        boolean oneDnn = "CPU".equalsIgnoreCase(backend) && org.nd4j.nativeblas.Nd4jCpu.Environment.isOneDnnBuild();
        info = new Info(backend, oneDnn, wanted, threads, blas);
        return info;
    }

    /**
     * @param net an initialised network
     * @return how many of its layers carry a oneDNN helper that has not failed over to the generic kernels
     */
    public static int activeOneDnnHelpers(MultiLayerNetwork net) {
        int n = 0;
        for (Layer layer : net.getLayers()) {
            Object h = layer.getHelper();
            if (h instanceof MKLDNNConvHelper || h instanceof MKLDNNBatchNormHelper || h instanceof MKLDNNSubsamplingHelper) {
                n++;
            }
        }
        return n;
    }

    private static int parseInt(Object o) {
        try {
            return o == null ? -1 : Integer.parseInt(o.toString().trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
