/**
 * The model contract: what a model expects as input, what it returns, its labels and where it came from.
 *
 * <p>{@link io.edgekd.core.spec.ModelSpec} is written into an exported ONNX file's {@code metadata_props}
 * by the exporter and read back by the edge runtime, so a {@code .onnx} file is all a device needs. The
 * key scheme is documented on {@link io.edgekd.core.spec.ModelSpec#toMetadata()}.
 */
package io.edgekd.core.spec;
