package io.edgekd.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@link EdgeClassifier} opens its model: execution providers in order of preference, threads,
 * graph optimisation, warm-up, GPU provider settings and where ONNX Runtime's native libraries live.
 *
 * <pre>{@code
 * EdgeOptions cpu = EdgeOptions.defaults();                       // CPU, 1 thread, 3 warm-up runs
 * EdgeOptions jetson = EdgeOptions.builder()
 *         .providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU)
 *         .tensorRtFp16(true)
 *         .tensorRtEngineCache(Path.of("/var/cache/myapp/trt"))   // the first engine build takes minutes on a Jetson
 *         .build();
 * }</pre>
 *
 * <p>Thread safety: immutable.
 */
public final class EdgeOptions {
    /** Graph optimisation levels, as ONNX Runtime names them. */
    public enum GraphOptimization {
        /** No graph rewriting. */
        NONE,
        /** Constant folding, redundant node elimination. */
        BASIC,
        /** Plus node fusions (Conv+Relu, ...). */
        EXTENDED,
        /** Everything, including layout optimisations. The default. */
        ALL
    }

    /** cuDNN's convolution algorithm search, as the CUDA provider names it. */
    public enum CudnnConvAlgoSearch {
        /** Benchmark every algorithm on first use: slow start, fastest steady state (ONNX Runtime's default). */
        EXHAUSTIVE,
        /** cuDNN's heuristics: quick start, usually nearly as fast. */
        HEURISTIC,
        /** A fixed default algorithm. */
        DEFAULT
    }

    private final List<ExecutionProvider> providers;
    private final boolean cpuFallback;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final boolean spinning;
    private final GraphOptimization optimization;
    private final Path optimizedModelPath;
    private final int warmupRuns;
    private final int deviceId;
    private final boolean tensorRtFp16;
    private final Path tensorRtEngineCache;
    private final long tensorRtWorkspaceBytes;
    private final CudnnConvAlgoSearch cudnnConvAlgoSearch;
    private final boolean extractNativeLibraries;
    private final Path nativeLibraryCache;

    private EdgeOptions(Builder b) {
        this.providers = List.copyOf(b.providers);
        this.cpuFallback = b.cpuFallback;
        this.intraOpThreads = b.intraOpThreads;
        this.interOpThreads = b.interOpThreads;
        this.spinning = b.spinning;
        this.optimization = b.optimization;
        this.optimizedModelPath = b.optimizedModelPath;
        this.warmupRuns = b.warmupRuns;
        this.deviceId = b.deviceId;
        this.tensorRtFp16 = b.tensorRtFp16;
        this.tensorRtEngineCache = b.tensorRtEngineCache;
        this.tensorRtWorkspaceBytes = b.tensorRtWorkspaceBytes;
        this.cudnnConvAlgoSearch = b.cudnnConvAlgoSearch;
        this.extractNativeLibraries = b.extractNativeLibraries;
        this.nativeLibraryCache = b.nativeLibraryCache;
    }

    /**
     * @return CPU only, one intra-op thread (the right size for a student network: more threads cost more in
     *         hand-off than they gain), no spinning, all graph optimisations, 3 warm-up runs
     */
    public static EdgeOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.providers = new ArrayList<>(providers);
        b.cpuFallback = cpuFallback;
        b.intraOpThreads = intraOpThreads;
        b.interOpThreads = interOpThreads;
        b.spinning = spinning;
        b.optimization = optimization;
        b.optimizedModelPath = optimizedModelPath;
        b.warmupRuns = warmupRuns;
        b.deviceId = deviceId;
        b.tensorRtFp16 = tensorRtFp16;
        b.tensorRtEngineCache = tensorRtEngineCache;
        b.tensorRtWorkspaceBytes = tensorRtWorkspaceBytes;
        b.cudnnConvAlgoSearch = cudnnConvAlgoSearch;
        b.extractNativeLibraries = extractNativeLibraries;
        b.nativeLibraryCache = nativeLibraryCache;
        return b;
    }

    /** @return providers in order of preference */
    public List<ExecutionProvider> providers() {
        return providers;
    }

    /** @return whether to run on the CPU when no preferred GPU provider can be used (otherwise opening fails) */
    public boolean cpuFallback() {
        return cpuFallback;
    }

    /** @return threads inside one operator; 0 lets ONNX Runtime choose (one per physical core) */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** @return threads across independent operators; 0 lets ONNX Runtime choose */
    public int interOpThreads() {
        return interOpThreads;
    }

    /** @return whether idle worker threads spin (lower latency, burns CPU) rather than sleep */
    public boolean spinning() {
        return spinning;
    }

    /** @return graph optimisation level */
    public GraphOptimization optimization() {
        return optimization;
    }

    /** @return where to save the optimised graph at open, or null not to */
    public Path optimizedModelPath() {
        return optimizedModelPath;
    }

    /** @return runs on a blank frame at open, so the first real frame is not the slow one */
    public int warmupRuns() {
        return warmupRuns;
    }

    /** @return GPU device id for CUDA and TensorRT */
    public int deviceId() {
        return deviceId;
    }

    /** @return whether TensorRT may build FP16 kernels */
    public boolean tensorRtFp16() {
        return tensorRtFp16;
    }

    /** @return TensorRT engine cache folder, or null for no cache */
    public Path tensorRtEngineCache() {
        return tensorRtEngineCache;
    }

    /** @return TensorRT builder workspace limit in bytes; 0 leaves ONNX Runtime's default */
    public long tensorRtWorkspaceBytes() {
        return tensorRtWorkspaceBytes;
    }

    /** @return cuDNN convolution algorithm search, or null for ONNX Runtime's default */
    public CudnnConvAlgoSearch cudnnConvAlgoSearch() {
        return cudnnConvAlgoSearch;
    }

    /** @return whether ONNX Runtime's native libraries are unpacked once into a cache folder (see {@link Builder#extractNativeLibraries(boolean)}) */
    public boolean extractNativeLibraries() {
        return extractNativeLibraries;
    }

    /** @return the native library cache folder, or null for the default */
    public Path nativeLibraryCache() {
        return nativeLibraryCache;
    }

    /**
     * The option map handed to ONNX Runtime's TensorRT provider.
     *
     * @return keys as {@code OrtTensorRTProviderOptions} takes them
     */
    public Map<String, String> tensorRtProviderOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device_id", Integer.toString(deviceId));
        m.put("trt_fp16_enable", tensorRtFp16 ? "1" : "0");
        if (tensorRtEngineCache != null) {
            m.put("trt_engine_cache_enable", "1");
            m.put("trt_engine_cache_path", tensorRtEngineCache.toString());
            m.put("trt_timing_cache_enable", "1");
            m.put("trt_timing_cache_path", tensorRtEngineCache.toString());
        }
        if (tensorRtWorkspaceBytes > 0) {
            m.put("trt_max_workspace_size", Long.toString(tensorRtWorkspaceBytes));
        }
        return m;
    }

    /**
     * The option map handed to ONNX Runtime's CUDA provider.
     *
     * @return keys as {@code OrtCUDAProviderOptions} takes them
     */
    public Map<String, String> cudaProviderOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device_id", Integer.toString(deviceId));
        if (cudnnConvAlgoSearch != null) {
            m.put("cudnn_conv_algo_search", cudnnConvAlgoSearch.name());
        }
        return m;
    }

    @Override
    public String toString() {
        return "EdgeOptions[providers=" + providers + ", cpuFallback=" + cpuFallback + ", intraOpThreads=" + intraOpThreads
                + ", interOpThreads=" + interOpThreads + ", spinning=" + spinning + ", optimization=" + optimization
                + ", warmupRuns=" + warmupRuns + ", deviceId=" + deviceId + ", tensorRt=" + tensorRtProviderOptions()
                + ", cuda=" + cudaProviderOptions() + "]";
    }

    /**
     * Builds {@link EdgeOptions}.
     *
     * <p>Thread safety: not thread-safe.
     */
    public static final class Builder {
        private List<ExecutionProvider> providers = new ArrayList<>(List.of(ExecutionProvider.CPU));
        private boolean cpuFallback = true;
        private int intraOpThreads = 1;
        private int interOpThreads = 1;
        private boolean spinning;
        private GraphOptimization optimization = GraphOptimization.ALL;
        private Path optimizedModelPath;
        private int warmupRuns = 3;
        private int deviceId;
        private boolean tensorRtFp16;
        private Path tensorRtEngineCache;
        private long tensorRtWorkspaceBytes;
        private CudnnConvAlgoSearch cudnnConvAlgoSearch;
        private boolean extractNativeLibraries = true;
        private Path nativeLibraryCache;

        private Builder() {
        }

        /**
         * @param preference providers to try, best first; CPU need not be listed when
         *                   {@link #cpuFallback(boolean)} is on
         * @return this
         */
        public Builder providers(ExecutionProvider... preference) {
            return providers(List.of(preference));
        }

        /** @param preference providers to try, best first @return this */
        public Builder providers(List<ExecutionProvider> preference) {
            if (preference.isEmpty()) {
                throw new IllegalArgumentException("providers: expected at least one, found none");
            }
            if (preference.stream().distinct().count() != preference.size()) {
                throw new IllegalArgumentException("providers: expected each at most once, found " + preference);
            }
            this.providers = new ArrayList<>(preference);
            return this;
        }

        /** @param fallback run on the CPU when no preferred provider is usable (default true) @return this */
        public Builder cpuFallback(boolean fallback) {
            this.cpuFallback = fallback;
            return this;
        }

        /** @param threads intra-op threads, 0 for ONNX Runtime's choice (default 1) @return this */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = nonNegative("intraOpThreads", threads);
            return this;
        }

        /** @param threads inter-op threads, 0 for ONNX Runtime's choice (default 1) @return this */
        public Builder interOpThreads(int threads) {
            this.interOpThreads = nonNegative("interOpThreads", threads);
            return this;
        }

        /** @param spin whether idle worker threads spin (default false: a camera loop mostly waits) @return this */
        public Builder spinning(boolean spin) {
            this.spinning = spin;
            return this;
        }

        /** @param level graph optimisation level (default ALL) @return this */
        public Builder optimization(GraphOptimization level) {
            this.optimization = Objects.requireNonNull(level, "optimization");
            return this;
        }

        /** @param path where ONNX Runtime writes the optimised graph at open, or null @return this */
        public Builder optimizedModelPath(Path path) {
            this.optimizedModelPath = path;
            return this;
        }

        /** @param runs warm-up runs at open (default 3) @return this */
        public Builder warmupRuns(int runs) {
            this.warmupRuns = nonNegative("warmupRuns", runs);
            return this;
        }

        /** @param id GPU device id (default 0) @return this */
        public Builder deviceId(int id) {
            this.deviceId = nonNegative("deviceId", id);
            return this;
        }

        /** @param fp16 let TensorRT build FP16 kernels (default false) @return this */
        public Builder tensorRtFp16(boolean fp16) {
            this.tensorRtFp16 = fp16;
            return this;
        }

        /**
         * @param dir folder for TensorRT engines and timing caches, created if missing; null for none. Engines
         *            are specific to the GPU, TensorRT version and model: a changed model builds a new one.
         * @return this
         */
        public Builder tensorRtEngineCache(Path dir) {
            this.tensorRtEngineCache = dir;
            return this;
        }

        /** @param bytes TensorRT workspace limit, 0 for ONNX Runtime's default @return this */
        public Builder tensorRtWorkspaceBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("tensorRtWorkspaceBytes: expected >= 0, found " + bytes);
            }
            this.tensorRtWorkspaceBytes = bytes;
            return this;
        }

        /** @param search cuDNN convolution algorithm search, or null for ONNX Runtime's default @return this */
        public Builder cudnnConvAlgoSearch(CudnnConvAlgoSearch search) {
            this.cudnnConvAlgoSearch = search;
            return this;
        }

        /**
         * By default ONNX Runtime unpacks its native libraries into a new temporary folder in every process and
         * leaves the folder behind (with 30 MB of libraries in it when the process is killed). With extraction
         * on (the default), edgekd unpacks them once into a cache folder and points ONNX Runtime there
         * ({@code -Donnxruntime.native.path}). Has no effect when that property is already set, or once ONNX
         * Runtime has been loaded in this process.
         *
         * @param extract whether to use the cache folder
         * @return this
         */
        public Builder extractNativeLibraries(boolean extract) {
            this.extractNativeLibraries = extract;
            return this;
        }

        /**
         * @param dir native library cache folder; null for {@code -Dedgekd.native.cache}, else
         *            {@code $XDG_CACHE_HOME/edgekd}, else {@code ~/.cache/edgekd}
         * @return this
         */
        public Builder nativeLibraryCache(Path dir) {
            this.nativeLibraryCache = dir;
            return this;
        }

        /** @return the options */
        public EdgeOptions build() {
            return new EdgeOptions(this);
        }

        private static int nonNegative(String name, int v) {
            if (v < 0) {
                throw new IllegalArgumentException(name + ": expected >= 0, found " + v);
            }
            return v;
        }
    }
}
