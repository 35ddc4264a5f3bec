package io.edgekd.runtime;

import ai.onnxruntime.OrtEnvironment;

/**
 * The process-wide ONNX Runtime environment that edgekd uses, for code that calls ONNX Runtime directly
 * (tests, benchmarks, tools) alongside {@link EdgeClassifier}.
 *
 * <p>Call {@link #get()} instead of {@code OrtEnvironment.getEnvironment()}: ONNX Runtime 1.29 creates its
 * first environment with a recursion over the process's command line (telemetry) that overflows a default
 * 1 MB Java thread stack and kills the JVM when that command line is long, as Maven, Gradle and IDE
 * classpaths are. This method creates it on a thread with a stack sized for the command line, with telemetry
 * switched off, and uses edgekd's native library cache. Sessions and runs afterwards are safe on any thread.
 *
 * <p>Thread safety: any thread may call {@link #get()}. Ownership: the environment belongs to the process;
 * never close it.
 */
public final class OnnxRuntimeEnvironment {
    private OnnxRuntimeEnvironment() {
    }

    /**
     * @return the environment, created on the first call (with {@link EdgeOptions#defaults()}' native library
     *         handling unless an {@link EdgeClassifier} was opened first)
     */
    public static OrtEnvironment get() {
        return OrtNatives.environment(EdgeOptions.defaults());
    }
}
