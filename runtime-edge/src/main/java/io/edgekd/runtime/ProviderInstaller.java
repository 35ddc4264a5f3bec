package io.edgekd.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;

import java.util.Map;

/**
 * Adds one execution provider to ONNX Runtime session options. A seam so that provider selection and
 * fallback can be tested on machines without a GPU build of ONNX Runtime.
 */
interface ProviderInstaller {
    /**
     * @param options  session options to add the provider to
     * @param provider the provider
     * @param settings provider options as ONNX Runtime names them
     * @return what must stay open until the session is created (closed by the caller afterwards)
     * @throws OrtException when the provider is not available in this ONNX Runtime build or rejects a setting
     */
    AutoCloseable install(OrtSession.SessionOptions options, ExecutionProvider provider, Map<String, String> settings)
            throws OrtException;

    /** The real thing. The provider option objects are created inside, since creating them fails without the provider. */
    ProviderInstaller ORT = (options, provider, settings) -> {
        int deviceId = Integer.parseInt(settings.getOrDefault("device_id", "0"));
        switch (provider) {
            case TENSORRT -> {
                OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(deviceId);
                try {
                    for (Map.Entry<String, String> e : settings.entrySet()) {
                        trt.add(e.getKey(), e.getValue());
                    }
                    options.addTensorrt(trt);
                } catch (OrtException | RuntimeException e) {
                    trt.close();
                    throw e;
                }
                return trt;
            }
            case CUDA -> {
                OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(deviceId);
                try {
                    for (Map.Entry<String, String> e : settings.entrySet()) {
                        cuda.add(e.getKey(), e.getValue());
                    }
                    options.addCUDA(cuda);
                } catch (OrtException | RuntimeException e) {
                    cuda.close();
                    throw e;
                }
                return cuda;
            }
            default -> {
                return () -> { };
            }
        }
    };
}
