package io.edgekd.core.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shapes, parameters and multiply-accumulates of a network description for one input size: how "small in
 * bytes and in arithmetic" a student is, in numbers that reports and benchmarks share.
 *
 * <p>Counting conventions (those of most model zoos): a convolution costs
 * {@code outH * outW * outC * (inC / groups) * kH * kW} MACs, a dense layer {@code in * out}; biases, batch
 * norm (folded into the convolution at export), activations, pooling and softmax cost nothing. Parameters
 * count every stored number, batch-norm running statistics included ({@code 4 * C} per batch norm).
 *
 * <pre>{@code
 * NetworkCost cost = NetworkCost.of(layers, 1, 28, 28);
 * System.out.println(cost.totalMacs() + " MACs, " + cost.totalParams() + " parameters");
 * }</pre>
 *
 * <p>Thread safety: immutable.
 */
public final class NetworkCost {
    /**
     * One layer's numbers.
     *
     * @param index    position in the description
     * @param layer    the layer
     * @param channels output channels (or features after flattening)
     * @param height   output height (1 after flattening)
     * @param width    output width (1 after flattening)
     * @param params   stored parameters
     * @param macs     multiply-accumulates for one image
     */
    public record Row(int index, LayerSpec layer, int channels, int height, int width, long params, long macs) {
    }

    private final List<Row> rows;
    private final long totalParams;
    private final long totalMacs;

    private NetworkCost(List<Row> rows) {
        this.rows = List.copyOf(rows);
        long p = 0;
        long m = 0;
        for (Row r : rows) {
            p += r.params();
            m += r.macs();
        }
        this.totalParams = p;
        this.totalMacs = m;
    }

    /**
     * @param layers   the network, input to output
     * @param channels input channels
     * @param height   input height
     * @param width    input width
     * @return the cost
     * @throws IllegalArgumentException naming the layer when a shape becomes empty or inconsistent
     */
    public static NetworkCost of(List<LayerSpec> layers, int channels, int height, int width) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input: expected positive C, H, W, found " + channels + "x" + height + "x" + width);
        }
        List<Row> rows = new ArrayList<>();
        int c = channels;
        int h = height;
        int w = width;
        boolean flat = false;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            long params = 0;
            long macs = 0;
            if (l instanceof LayerSpec.Conv2d conv) {
                requireSpatial(flat, i, l);
                if (c % conv.groups() != 0 || conv.outChannels() % conv.groups() != 0) {
                    throw new IllegalArgumentException("layer " + i + " " + l + ": expected channels divisible by groups "
                            + conv.groups() + ", found " + c + " in and " + conv.outChannels() + " out");
                }
                int oh = outSize(h, conv.kernelH(), conv.strideH(), conv.dilationH(), conv.padding(), conv.padH(), i, l);
                int ow = outSize(w, conv.kernelW(), conv.strideW(), conv.dilationW(), conv.padding(), conv.padW(), i, l);
                long perOut = (long) (c / conv.groups()) * conv.kernelH() * conv.kernelW();
                params = conv.outChannels() * perOut + (conv.bias() ? conv.outChannels() : 0);
                macs = (long) oh * ow * conv.outChannels() * perOut;
                c = conv.outChannels();
                h = oh;
                w = ow;
            } else if (l instanceof LayerSpec.BatchNorm bn) {
                if (bn.channels() != c) {
                    throw new IllegalArgumentException("layer " + i + " " + l + ": expected " + c + " channels, found " + bn.channels());
                }
                params = 4L * c;
            } else if (l instanceof LayerSpec.Pool2d pool) {
                requireSpatial(flat, i, l);
                h = outSize(h, pool.kernelH(), pool.strideH(), 1, pool.padding(), pool.padH(), i, l);
                w = outSize(w, pool.kernelW(), pool.strideW(), 1, pool.padding(), pool.padW(), i, l);
            } else if (l instanceof LayerSpec.GlobalPool) {
                requireSpatial(flat, i, l);
                h = 1;
                w = 1;
                flat = true;
            } else if (l instanceof LayerSpec.Flatten) {
                c = c * h * w;
                h = 1;
                w = 1;
                flat = true;
            } else if (l instanceof LayerSpec.Dense dense) {
                int in = c * h * w;
                params = (long) in * dense.outFeatures() + (dense.bias() ? dense.outFeatures() : 0);
                macs = (long) in * dense.outFeatures();
                c = dense.outFeatures();
                h = 1;
                w = 1;
                flat = true;
            }
            rows.add(new Row(i, l, c, h, w, params, macs));
        }
        return new NetworkCost(rows);
    }

    /**
     * Output size along one axis, DL4J's and ONNX's rule for the padding mode.
     *
     * @param in       input size
     * @param kernel   kernel size
     * @param stride   stride
     * @param dilation dilation
     * @param mode     padding mode
     * @param pad      symmetric padding for EXPLICIT
     * @return output size
     */
    public static int outputSize(int in, int kernel, int stride, int dilation, LayerSpec.PaddingMode mode, int pad) {
        if (mode == LayerSpec.PaddingMode.SAME) {
            return (in + stride - 1) / stride;
        }
        int eff = (kernel - 1) * dilation + 1;
        int span = in + 2 * pad - eff;
        return span < 0 ? 0 : span / stride + 1;
    }

    /**
     * Padding before and after along one axis in SAME mode: the total needed for {@code ceil(in/stride)}
     * outputs, the odd pixel after (bottom/right).
     *
     * @param in       input size
     * @param kernel   kernel size
     * @param stride   stride
     * @param dilation dilation
     * @return {before, after}
     */
    public static int[] samePadding(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int eff = (kernel - 1) * dilation + 1;
        int total = Math.max(0, (out - 1) * stride + eff - in);
        return new int[] {total / 2, total - total / 2};
    }

    private static int outSize(int in, int k, int s, int d, LayerSpec.PaddingMode mode, int pad, int i, LayerSpec l) {
        int out = outputSize(in, k, s, d, mode, pad);
        if (out <= 0) {
            throw new IllegalArgumentException("layer " + i + " " + l + ": input of size " + in + " is too small for a kernel of "
                    + k + " (output size " + out + ")");
        }
        return out;
    }

    private static void requireSpatial(boolean flat, int i, LayerSpec l) {
        if (flat) {
            throw new IllegalArgumentException("layer " + i + " " + l + ": expected a [C, H, W] input, found a flat vector");
        }
    }

    /** @return one row per layer */
    public List<Row> rows() {
        return rows;
    }

    /** @return stored parameters of the whole network */
    public long totalParams() {
        return totalParams;
    }

    /** @return multiply-accumulates per image */
    public long totalMacs() {
        return totalMacs;
    }

    /** @return a plain-text table, one line per layer */
    public String toTable() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s %-60s %-14s %10s %12s%n", "#", "layer", "output", "params", "MACs"));
        for (Row r : rows) {
            String name = r.layer().toString();
            if (name.length() > 60) {
                name = name.substring(0, 57) + "...";
            }
            sb.append(String.format(Locale.ROOT, "%-4d %-60s %-14s %10d %12d%n", r.index(), name,
                    r.channels() + "x" + r.height() + "x" + r.width(), r.params(), r.macs()));
        }
        sb.append(String.format(Locale.ROOT, "%-4s %-60s %-14s %10d %12d%n", "", "total", "", totalParams, totalMacs));
        return sb.toString();
    }
}
