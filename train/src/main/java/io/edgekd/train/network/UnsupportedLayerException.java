package io.edgekd.train.network;

/**
 * A DL4J network holds a layer or setting that edgekd cannot describe (and so cannot count or export). The
 * message names the layer index, its type and name, and the supported set.
 */
public final class UnsupportedLayerException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The layers and settings that are supported, for messages. */
    public static final String SUPPORTED = "ConvolutionLayer, DepthwiseConvolution2D, SeparableConvolution2D (ConvolutionMode Same, Truncate or Strict; "
            + "dilation is exported, but DL4J M2.1 runs dilated convolutions only in ConvolutionLayer), BatchNormalization, ActivationLayer, SubsamplingLayer (MAX or AVG), "
            + "GlobalPoolingLayer (MAX or AVG), DenseLayer, OutputLayer, LossLayer, DropoutLayer; activations IDENTITY, RELU, "
            + "RELU6, LEAKYRELU, SOFTMAX; CnnToFeedForward preprocessing; NCHW or NHWC";

    /**
     * @param index layer index
     * @param type  DL4J layer class
     * @param name  layer name
     * @param what  what is not supported
     */
    public UnsupportedLayerException(int index, String type, String name, String what) {
        super("layer " + index + " (" + type + (name == null ? "" : " '" + name + "'") + "): " + what + "; supported: " + SUPPORTED);
    }

    /** @param message the whole message */
    public UnsupportedLayerException(String message) {
        super(message);
    }
}
