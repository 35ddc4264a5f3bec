package io.edgekd.train.network;

import io.edgekd.core.network.LayerSpec;
import io.edgekd.core.network.LayerSpec.ActivationKind;
import io.edgekd.core.network.LayerSpec.PaddingMode;
import io.edgekd.core.network.NetworkCost;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a DL4J {@link MultiLayerNetwork} as framework-neutral {@link NetworkNode}s: the walk that both cost
 * counting ({@link #cost}) and the ONNX exporter use, so that what is counted is what is exported.
 *
 * <p>DL4J's conventions are resolved here, once: convolution modes (SAME pads with the odd pixel bottom/right,
 * Truncate and Strict pad symmetrically), weight layouts (depthwise {@code [kH, kW, in, m]} and separable
 * {@code [m, in, kH, kW]} become grouped {@code [in*m, 1, kH, kW]}; dense {@code W} is read in logical order
 * whatever its storage order), batch norm's stored {@code log10stdev} (turned back into a variance), and the
 * flatten order of NHWC networks (whose dense weights are permuted so the graph can flatten NCHW).
 *
 * <p>Thread safety: stateless; do not train the network while it is being described.
 */
public final class Dl4jNetworks {
    private Dl4jNetworks() {
    }

    /**
     * @param net   an initialised network
     * @param input the input size it is described for
     * @return its operations, input to output
     * @throws UnsupportedLayerException naming the first layer or setting that has no description
     */
    public static List<NetworkNode> describe(MultiLayerNetwork net, InputShape input) throws UnsupportedLayerException {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<NetworkNode> nodes = new ArrayList<>();
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        boolean nhwc = false;
        boolean flat = false;
        int n = net.getnLayers();
        if (n == 0) {
            throw new UnsupportedLayerException("the network has no layers");
        }
        for (int i = 0; i < n; i++) {
            Layer cfg = net.getLayer(i).conf().getLayer();
            String type = cfg.getClass().getSimpleName();
            String name = cfg.getLayerName();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null) {
                if (pre instanceof CnnToFeedForwardPreProcessor cnn) {
                    boolean preNhwc = cnn.getFormat() == CNN2DFormat.NHWC;
                    nodes.add(new NetworkNode(i, name, new LayerSpec.Flatten(), Map.of()));
                    flat = true;
                    nhwc = preNhwc;
                    c = c * h * w;
                    if (!(cfg instanceof DenseLayer || cfg instanceof OutputLayer)) {
                        if (preNhwc) {
                            throw new UnsupportedLayerException(i, type, name, "an NHWC flatten followed by a layer other than a dense layer");
                        }
                    }
                } else {
                    throw new UnsupportedLayerException(i, type, name, "input preprocessor " + pre.getClass().getSimpleName());
                }
            }
            Map<String, INDArray> params = net.getLayer(i).paramTable();
            if (cfg instanceof SeparableConvolution2D sep) {
                nhwc = checkFormat(sep.getCnn2dDataFormat(), i, type, name);
                int mult = sep.getDepthMultiplier();
                int[] pads = padding(sep.getConvolutionMode(), sep.getPadding(), i, type, name);
                PaddingMode mode = mode(sep.getConvolutionMode());
                // W [m, in, kH, kW] -> [in, m, kH, kW] -> [in*m, 1, kH, kW]: output channel c*m + k, as DL4J orders it.
                INDArray dw = params.get("W").permute(1, 0, 2, 3).dup('c').reshape('c', (long) c * mult, 1, sep.getKernelSize()[0], sep.getKernelSize()[1]);
                nodes.add(new NetworkNode(i, name, new LayerSpec.Conv2d(c * mult, sep.getKernelSize()[0], sep.getKernelSize()[1],
                        sep.getStride()[0], sep.getStride()[1], sep.getDilation()[0], sep.getDilation()[1], mode, pads[0], pads[1], c, false),
                        Map.of("W", floats(dw))));
                int out = (int) sep.getNOut();
                Map<String, float[]> pw = new LinkedHashMap<>();
                pw.put("W", floats(params.get("pW")));
                boolean bias = sep.hasBias();
                if (bias) {
                    pw.put("b", floats(params.get("b")));
                }
                nodes.add(new NetworkNode(i, name, new LayerSpec.Conv2d(out, 1, 1, 1, 1, 1, 1, PaddingMode.EXPLICIT, 0, 0, 1, bias), pw));
                h = NetworkCost.outputSize(h, sep.getKernelSize()[0], sep.getStride()[0], sep.getDilation()[0], mode, pads[0]);
                w = NetworkCost.outputSize(w, sep.getKernelSize()[1], sep.getStride()[1], sep.getDilation()[1], mode, pads[1]);
                c = out;
                activation(nodes, i, type, name, sep.getActivationFn());
            } else if (cfg instanceof DepthwiseConvolution2D dwc) {
                nhwc = checkFormat(dwc.getCnn2dDataFormat(), i, type, name);
                int mult = dwc.getDepthMultiplier();
                int[] pads = padding(dwc.getConvolutionMode(), dwc.getPadding(), i, type, name);
                PaddingMode mode = mode(dwc.getConvolutionMode());
                // W [kH, kW, in, m] -> [in, m, kH, kW] -> [in*m, 1, kH, kW].
                INDArray wt = params.get("W").permute(2, 3, 0, 1).dup('c').reshape('c', (long) c * mult, 1, dwc.getKernelSize()[0], dwc.getKernelSize()[1]);
                Map<String, float[]> t = new LinkedHashMap<>();
                t.put("W", floats(wt));
                if (dwc.hasBias()) {
                    t.put("b", floats(params.get("b")));
                }
                nodes.add(new NetworkNode(i, name, new LayerSpec.Conv2d(c * mult, dwc.getKernelSize()[0], dwc.getKernelSize()[1],
                        dwc.getStride()[0], dwc.getStride()[1], dwc.getDilation()[0], dwc.getDilation()[1], mode, pads[0], pads[1], c,
                        dwc.hasBias()), t));
                h = NetworkCost.outputSize(h, dwc.getKernelSize()[0], dwc.getStride()[0], dwc.getDilation()[0], mode, pads[0]);
                w = NetworkCost.outputSize(w, dwc.getKernelSize()[1], dwc.getStride()[1], dwc.getDilation()[1], mode, pads[1]);
                c = c * mult;
                activation(nodes, i, type, name, dwc.getActivationFn());
            } else if (cfg instanceof ConvolutionLayer conv && cfg.getClass() == ConvolutionLayer.class) {
                nhwc = checkFormat(conv.getCnn2dDataFormat(), i, type, name);
                int[] pads = padding(conv.getConvolutionMode(), conv.getPadding(), i, type, name);
                PaddingMode mode = mode(conv.getConvolutionMode());
                int out = (int) conv.getNOut();
                Map<String, float[]> t = new LinkedHashMap<>();
                t.put("W", floats(params.get("W")));
                if (conv.hasBias()) {
                    t.put("b", floats(params.get("b")));
                }
                nodes.add(new NetworkNode(i, name, new LayerSpec.Conv2d(out, conv.getKernelSize()[0], conv.getKernelSize()[1],
                        conv.getStride()[0], conv.getStride()[1], conv.getDilation()[0], conv.getDilation()[1], mode, pads[0], pads[1], 1,
                        conv.hasBias()), t));
                h = NetworkCost.outputSize(h, conv.getKernelSize()[0], conv.getStride()[0], conv.getDilation()[0], mode, pads[0]);
                w = NetworkCost.outputSize(w, conv.getKernelSize()[1], conv.getStride()[1], conv.getDilation()[1], mode, pads[1]);
                c = out;
                activation(nodes, i, type, name, conv.getActivationFn());
            } else if (cfg instanceof BatchNormalization bn) {
                if (!flat) {
                    nhwc = checkFormat(bn.getCnn2DFormat(), i, type, name);
                }
                Map<String, float[]> t = new LinkedHashMap<>();
                float[] gamma;
                float[] beta;
                if (bn.isLockGammaBeta()) {
                    gamma = filled(c, bn.getGamma());
                    beta = filled(c, bn.getBeta());
                } else {
                    gamma = floats(params.get("gamma"));
                    beta = floats(params.get("beta"));
                }
                float[] var;
                if (bn.isUseLogStd()) {
                    float[] log10std = floats(params.get("log10stdev"));
                    var = new float[log10std.length];
                    for (int k = 0; k < var.length; k++) {
                        double std = Math.pow(10, log10std[k]);
                        var[k] = (float) (std * std);
                    }
                } else {
                    var = floats(params.get("var"));
                }
                t.put("gamma", gamma);
                t.put("beta", beta);
                t.put("mean", floats(params.get("mean")));
                t.put("var", var);
                nodes.add(new NetworkNode(i, name, new LayerSpec.BatchNorm(c, bn.getEps()), t));
            } else if (cfg instanceof SubsamplingLayer pool && cfg.getClass() == SubsamplingLayer.class) {
                nhwc = checkFormat(pool.getCnn2dDataFormat(), i, type, name);
                LayerSpec.PoolKind kind = switch (pool.getPoolingType()) {
                    case MAX -> LayerSpec.PoolKind.MAX;
                    case AVG -> LayerSpec.PoolKind.AVG;
                    default -> throw new UnsupportedLayerException(i, type, name, "pooling type " + pool.getPoolingType());
                };
                if (pool.getDilation()[0] != 1 || pool.getDilation()[1] != 1) {
                    throw new UnsupportedLayerException(i, type, name, "dilated pooling " + java.util.Arrays.toString(pool.getDilation()));
                }
                if (kind == LayerSpec.PoolKind.AVG && pool.isAvgPoolIncludePadInDivisor()) {
                    throw new UnsupportedLayerException(i, type, name, "average pooling that counts padding in the divisor");
                }
                int[] pads = padding(pool.getConvolutionMode(), pool.getPadding(), i, type, name);
                PaddingMode mode = mode(pool.getConvolutionMode());
                nodes.add(new NetworkNode(i, name, new LayerSpec.Pool2d(kind, pool.getKernelSize()[0], pool.getKernelSize()[1],
                        pool.getStride()[0], pool.getStride()[1], mode, pads[0], pads[1]), Map.of()));
                h = NetworkCost.outputSize(h, pool.getKernelSize()[0], pool.getStride()[0], 1, mode, pads[0]);
                w = NetworkCost.outputSize(w, pool.getKernelSize()[1], pool.getStride()[1], 1, mode, pads[1]);
            } else if (cfg instanceof GlobalPoolingLayer gp) {
                LayerSpec.PoolKind kind = switch (gp.getPoolingType()) {
                    case MAX -> LayerSpec.PoolKind.MAX;
                    case AVG -> LayerSpec.PoolKind.AVG;
                    default -> throw new UnsupportedLayerException(i, type, name, "global pooling type " + gp.getPoolingType());
                };
                if (!gp.isCollapseDimensions()) {
                    throw new UnsupportedLayerException(i, type, name, "global pooling that keeps its spatial dimensions");
                }
                nodes.add(new NetworkNode(i, name, new LayerSpec.GlobalPool(kind), Map.of()));
                h = 1;
                w = 1;
                flat = true;
                nhwc = false;
            } else if (cfg instanceof ActivationLayer act) {
                activation(nodes, i, type, name, act.getActivationFn());
            } else if (cfg instanceof DropoutLayer drop) {
                double retain = drop.getIDropout() instanceof org.deeplearning4j.nn.conf.dropout.Dropout d ? d.getP() : 1.0;
                nodes.add(new NetworkNode(i, name, new LayerSpec.Dropout(1 - retain), Map.of()));
            } else if (cfg instanceof DenseLayer || cfg instanceof OutputLayer) {
                BaseLayer dense = (BaseLayer) cfg;
                if (!flat && h == 1 && w == 1) {
                    // A feed-forward input described as [C, 1, 1]: flattening it changes nothing.
                    nodes.add(new NetworkNode(i, name, new LayerSpec.Flatten(), Map.of()));
                    flat = true;
                }
                if (!flat) {
                    throw new UnsupportedLayerException(i, type, name, "a dense layer on a [C, H, W] input without a flatten preprocessor");
                }
                INDArray wt = params.get("W");
                int in = (int) wt.size(0);
                int out = (int) wt.size(1);
                if (in != c) {
                    throw new UnsupportedLayerException(i, type, name, "expected " + c + " inputs from the previous layer, found weights for " + in);
                }
                float[] weights = floats(wt);
                if (nhwc && pre != null) {
                    weights = permuteFlattenRows(weights, in, out, (int) ((CnnToFeedForwardPreProcessor) pre).getNumChannels(),
                            (int) ((CnnToFeedForwardPreProcessor) pre).getInputHeight(), (int) ((CnnToFeedForwardPreProcessor) pre).getInputWidth());
                }
                Map<String, float[]> t = new LinkedHashMap<>();
                t.put("W", weights);
                boolean bias = params.containsKey("b");
                if (bias) {
                    t.put("b", floats(params.get("b")));
                }
                nodes.add(new NetworkNode(i, name, new LayerSpec.Dense(out, bias), t));
                c = out;
                nhwc = false;
                activation(nodes, i, type, name, dense.getActivationFn());
            } else if (cfg instanceof LossLayer loss) {
                activation(nodes, i, type, name, loss.getActivationFn());
            } else {
                throw new UnsupportedLayerException(i, type, name, "layer type " + type);
            }
        }
        Layer last = net.getLayer(n - 1).conf().getLayer();
        if (!(last instanceof OutputLayer || last instanceof LossLayer)) {
            throw new UnsupportedLayerException(n - 1, last.getClass().getSimpleName(), last.getLayerName(),
                    "the network has no output layer (its last layer must be an OutputLayer or LossLayer)");
        }
        return nodes;
    }

    /**
     * @param nodes described nodes
     * @return their layer specs, in order
     */
    public static List<LayerSpec> specs(List<NetworkNode> nodes) {
        List<LayerSpec> specs = new ArrayList<>(nodes.size());
        for (NetworkNode node : nodes) {
            specs.add(node.spec());
        }
        return specs;
    }

    /**
     * @param net   an initialised network
     * @param input input size
     * @return parameters and multiply-accumulates per layer
     * @throws UnsupportedLayerException as {@link #describe}
     */
    public static NetworkCost cost(MultiLayerNetwork net, InputShape input) throws UnsupportedLayerException {
        return NetworkCost.of(specs(describe(net, input)), input.channels(), input.height(), input.width());
    }

    /**
     * @param net a network
     * @return the layout its image input is read in: its first convolution's or batch norm's, NCHW when it has neither
     */
    public static org.deeplearning4j.nn.conf.CNN2DFormat inputFormat(MultiLayerNetwork net) {
        for (int i = 0; i < net.getnLayers(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = net.getLayer(i).conf().getLayer();
            if (l instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
                return c.getCnn2dDataFormat();
            }
            if (l instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                return bn.getCnn2DFormat();
            }
        }
        return org.deeplearning4j.nn.conf.CNN2DFormat.NCHW;
    }

    /** @return the number of classes the network outputs (a parameterless LossLayer passes on its input's size) */
    public static int numClasses(MultiLayerNetwork net) {
        for (int i = net.getnLayers() - 1; i >= 0; i--) {
            int size = net.layerSize(i);
            if (size > 0) {
                return size;
            }
        }
        return 0;
    }

    private static void activation(List<NetworkNode> nodes, int i, String type, String name, IActivation fn)
            throws UnsupportedLayerException {
        if (fn == null || fn instanceof ActivationIdentity) {
            return;
        }
        LayerSpec.Activation a;
        if (fn instanceof ActivationReLU relu) {
            if (relu.getMax() != null || relu.getThreshold() != null || relu.getNegativeSlope() != null) {
                if (relu.getMax() != null && relu.getMax() == 6.0 && relu.getThreshold() == null && relu.getNegativeSlope() == null) {
                    a = new LayerSpec.Activation(ActivationKind.RELU6, 0);
                } else {
                    throw new UnsupportedLayerException(i, type, name, "ReLU with max/threshold/negative slope " + fn);
                }
            } else {
                a = new LayerSpec.Activation(ActivationKind.RELU, 0);
            }
        } else if (fn instanceof ActivationReLU6) {
            a = new LayerSpec.Activation(ActivationKind.RELU6, 0);
        } else if (fn instanceof ActivationLReLU lrelu) {
            a = new LayerSpec.Activation(ActivationKind.LEAKY_RELU, lrelu.getAlpha());
        } else if (fn instanceof ActivationSoftmax) {
            a = new LayerSpec.Activation(ActivationKind.SOFTMAX, 0);
        } else {
            throw new UnsupportedLayerException(i, type, name, "activation " + fn);
        }
        nodes.add(new NetworkNode(i, name, a, Map.of()));
    }

    private static boolean checkFormat(CNN2DFormat format, int i, String type, String name) {
        // Both formats share weight layouts; only the flatten order differs, handled at the dense layer.
        return format == CNN2DFormat.NHWC;
    }

    private static PaddingMode mode(ConvolutionMode m) {
        return m == ConvolutionMode.Same ? PaddingMode.SAME : PaddingMode.EXPLICIT;
    }

    private static int[] padding(ConvolutionMode m, int[] pad, int i, String type, String name) throws UnsupportedLayerException {
        if (m == ConvolutionMode.Same) {
            return new int[] {0, 0};
        }
        if (m == ConvolutionMode.Truncate || m == ConvolutionMode.Strict) {
            return new int[] {pad[0], pad[1]};
        }
        throw new UnsupportedLayerException(i, type, name, "convolution mode " + m);
    }

    /** DL4J flattens NHWC activations as H, W, C; the exported graph flattens NCHW as C, H, W: reorder W's rows. */
    private static float[] permuteFlattenRows(float[] wt, int in, int out, int c, int h, int w) {
        float[] p = new float[wt.length];
        for (int ci = 0; ci < c; ci++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int onnxRow = (ci * h + y) * w + x;
                    int dl4jRow = (y * w + x) * c + ci;
                    System.arraycopy(wt, dl4jRow * out, p, onnxRow * out, out);
                }
            }
        }
        return p;
    }

    private static float[] filled(int n, double v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, (float) v);
        return a;
    }

    /** Logical row-major values whatever the array's storage order and type. */
    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
