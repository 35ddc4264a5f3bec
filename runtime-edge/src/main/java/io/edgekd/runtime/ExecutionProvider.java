package io.edgekd.runtime;

/**
 * Where ONNX Runtime runs the model's operators.
 *
 * <p>GPU providers need an ONNX Runtime build that carries them: {@code onnxruntime_gpu} on x86_64, or a
 * build from source with {@code --use_cuda --use_tensorrt} on a Jetson (see the {@code native} module). With
 * the plain CPU jar they are missing, and {@link EdgeOptions#cpuFallback()} decides what happens.
 *
 * <p>Thread safety: immutable.
 */
public enum ExecutionProvider {
    /**
     * NVIDIA TensorRT: fastest on Jetson and NVIDIA GPUs. The first session on a device builds an engine,
     * which takes seconds on a desktop GPU and minutes on a Jetson; enable the engine cache
     * ({@link EdgeOptions.Builder#tensorRtEngineCache(java.nio.file.Path)}) so later starts reuse it.
     */
    TENSORRT("TensorrtExecutionProvider"),
    /** NVIDIA CUDA with cuDNN. */
    CUDA("CUDAExecutionProvider"),
    /** ONNX Runtime's own CPU kernels: always present. */
    CPU("CPUExecutionProvider");

    private final String ortName;

    ExecutionProvider(String ortName) {
        this.ortName = ortName;
    }

    /** @return the provider's name inside ONNX Runtime */
    public String ortName() {
        return ortName;
    }
}
