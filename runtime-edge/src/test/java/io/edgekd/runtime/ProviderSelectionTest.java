package io.edgekd.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPU providers cannot run on these machines: selection, fallback and option mapping are tested with a fake
 * installer, and the real CPU-only ONNX Runtime jar shows the fallback end to end.
 */
class ProviderSelectionTest {
    @TempDir
    Path dir;

    /** Records what was installed; refuses the providers it is told are missing. */
    static final class FakeInstaller implements ProviderInstaller {
        final List<ExecutionProvider> missing;
        final List<String> calls = new ArrayList<>();

        FakeInstaller(ExecutionProvider... missing) {
            this.missing = List.of(missing);
        }

        @Override
        public AutoCloseable install(ai.onnxruntime.OrtSession.SessionOptions options, ExecutionProvider provider,
                                     Map<String, String> settings) throws OrtException {
            calls.add(provider + " " + settings);
            if (missing.contains(provider)) {
                throw new OrtException(OrtException.OrtErrorCode.ORT_EP_FAIL, "Failed to find " + provider + " shared provider");
            }
            return () -> calls.add("closed " + provider);
        }
    }

    private static byte[] model() {
        return new TestModels(EdgeClassifierTest.graySpec(), 1).toBytes();
    }

    @Test
    void fallsBackInPreferenceOrderAndSaysWhy() throws Exception {
        EdgeOptions o = EdgeOptions.builder().providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA).build();
        FakeInstaller fake = new FakeInstaller(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA);
        EdgeClassifier.Opened opened = EdgeClassifier.createSession(OrtNatives.environment(o), model(), o, "m", fake);
        try {
            assertEquals(ExecutionProvider.CPU, opened.provider());
            assertEquals(2, opened.notes().size(), opened.notes().toString());
            assertTrue(opened.notes().get(0).startsWith("TENSORRT unavailable: Failed to find TENSORRT"), opened.notes().toString());
            assertTrue(opened.notes().get(1).startsWith("CUDA unavailable"), opened.notes().toString());
        } finally {
            opened.session().close();
            opened.options().close();
        }
    }

    @Test
    void tensorRtIsBackedByCudaWhenBothArePreferred() throws Exception {
        EdgeOptions o = EdgeOptions.builder().providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU)
                .tensorRtFp16(true).tensorRtEngineCache(dir).deviceId(1)
                .cudnnConvAlgoSearch(EdgeOptions.CudnnConvAlgoSearch.HEURISTIC).build();
        FakeInstaller fake = new FakeInstaller();
        EdgeClassifier.Opened opened = EdgeClassifier.createSession(OrtNatives.environment(o), model(), o, "m", fake);
        try {
            assertEquals(ExecutionProvider.TENSORRT, opened.provider());
            assertEquals(List.of(
                    "TENSORRT " + o.tensorRtProviderOptions(),
                    "CUDA " + o.cudaProviderOptions(),
                    "closed TENSORRT",
                    "closed CUDA"), fake.calls);
        } finally {
            opened.session().close();
            opened.options().close();
        }
    }

    @Test
    void withoutCpuFallbackMissingProvidersFailOpening() {
        EdgeOptions o = EdgeOptions.builder().providers(ExecutionProvider.CUDA).cpuFallback(false).build();
        EdgeModelException e = assertThrows(EdgeModelException.class,
                () -> EdgeClassifier.createSession(OrtNatives.environment(o), model(), o, "m", new FakeInstaller(ExecutionProvider.CUDA)));
        assertTrue(e.getMessage().contains("[CUDA]") && e.getMessage().contains("CPU fallback is off"), e.getMessage());
    }

    @Test
    void optionMapsUseOrtKeys() {
        EdgeOptions o = EdgeOptions.builder().tensorRtFp16(true).tensorRtEngineCache(Path.of("/cache/trt"))
                .tensorRtWorkspaceBytes(1L << 30).deviceId(2).cudnnConvAlgoSearch(EdgeOptions.CudnnConvAlgoSearch.EXHAUSTIVE).build();
        assertEquals(Map.of("device_id", "2", "trt_fp16_enable", "1", "trt_engine_cache_enable", "1",
                "trt_engine_cache_path", "/cache/trt", "trt_timing_cache_enable", "1", "trt_timing_cache_path", "/cache/trt",
                "trt_max_workspace_size", "1073741824"), o.tensorRtProviderOptions());
        assertEquals(Map.of("device_id", "2", "cudnn_conv_algo_search", "EXHAUSTIVE"), o.cudaProviderOptions());
        EdgeOptions d = EdgeOptions.defaults();
        assertEquals(Map.of("device_id", "0", "trt_fp16_enable", "0"), d.tensorRtProviderOptions());
        assertEquals(Map.of("device_id", "0"), d.cudaProviderOptions());
        assertEquals(List.of(ExecutionProvider.CPU), d.providers());
        assertThrows(IllegalArgumentException.class, () -> EdgeOptions.builder().providers(List.of()));
        assertThrows(IllegalArgumentException.class, () -> EdgeOptions.builder().providers(ExecutionProvider.CPU, ExecutionProvider.CPU));
        assertThrows(IllegalArgumentException.class, () -> EdgeOptions.builder().intraOpThreads(-1));
    }

    @Test
    void realCpuOnlyRuntimeFallsBackFromGpuProviders() throws Exception {
        EdgeOptions o = EdgeOptions.builder().providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA).warmupRuns(0).build();
        try (EdgeClassifier c = EdgeClassifier.open(model(), null, o)) {
            assertEquals(ExecutionProvider.CPU, c.activeProvider());
            assertTrue(c.providerNotes().stream().anyMatch(n -> n.startsWith("CUDA unavailable")), c.providerNotes().toString());
        }
        assertTrue(OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CPU));
    }

    @Test
    void optimisedModelIsSavedWhenAsked() throws Exception {
        Path out = dir.resolve("optimised.onnx");
        EdgeOptions o = EdgeOptions.builder().optimizedModelPath(out).optimization(EdgeOptions.GraphOptimization.EXTENDED)
                .intraOpThreads(2).spinning(true).warmupRuns(0).build();
        try (EdgeClassifier c = EdgeClassifier.open(model(), null, o)) {
            assertEquals(ExecutionProvider.CPU, c.activeProvider());
        }
        assertTrue(java.nio.file.Files.size(out) > 0);
    }
}
