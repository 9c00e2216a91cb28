package dev.ember.nn;

import dev.ember.nn.functional.Convolutions;
import dev.ember.nn.functional.Padding;
import dev.ember.tensor.Tensor;

/**
 * 2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs -> (N, C_out, H_out, W_out), with
 * H_out = floor((H + 2*padding[0] - dilation[0]*(kernelSize[0]-1) - 1) / stride[0]) + 1 (W_out alike). Weight
 * (out_channels, in_channels/groups, kH, kW), bias (out_channels); both start as PyTorch's (kaiming_uniform with
 * a=sqrt(5), bias U(+-1/sqrt(fan_in))). Padding is numeric or "same"/"valid"; paddingMode is "zeros", "reflect",
 * "replicate" or "circular". Arguments follow PyTorch's order; pairs are (height, width).
 */
public class Conv2d extends Module implements Layer {
    public final long inChannels;
    public final long outChannels;
    public final long[] kernelSize;
    public final long[] stride;
    /** Numeric padding (height, width); null when {@link #paddingString} is set. */
    public final long[] padding;
    /** "same" or "valid" when padding was given as a string, else null. */
    public final String paddingString;
    public final long[] dilation;
    public final long groups;
    public final String paddingMode;
    public final Tensor weight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor bias;

    public Conv2d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride) {
        this(inChannels, outChannels, kernelSize, stride, 0);
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros");
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, String padding) {
        this(inChannels, outChannels, pair(kernelSize), pair(stride), padding, pair(1), 1, true, "zeros");
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
                  long groups, boolean bias, String paddingMode) {
        this(inChannels, outChannels, pair(kernelSize), pair(stride), pair(padding), pair(dilation), groups, bias,
                paddingMode);
    }

    public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
                  long[] dilation, long groups, boolean bias, String paddingMode) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, paddingMode);
    }

    public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, String padding,
                  long[] dilation, long groups, boolean bias, String paddingMode) {
        this(inChannels, outChannels, kernelSize, stride, null, padding, dilation, groups, bias, paddingMode);
    }

    private Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
                   String paddingString, long[] dilation, long groups, boolean bias, String paddingMode) {
        String layer = "Conv2d";
        ConvSupport.checkChannels(layer, inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = ConvSupport.sizes(layer, "kernel_size", kernelSize, 2, 1);
        this.stride = ConvSupport.sizes(layer, "stride", stride, 2, 1);
        this.padding = padding == null ? null : ConvSupport.sizes(layer, "padding", padding, 2, 0);
        if (paddingString != null) {
            ConvSupport.checkPadding(layer, paddingString, this.stride);
        }
        this.paddingString = paddingString;
        this.dilation = ConvSupport.sizes(layer, "dilation", dilation, 2, 1);
        this.groups = groups;
        ConvSupport.checkPaddingMode(layer, paddingMode);
        this.paddingMode = paddingMode;
        this.weight = registerParameter("weight",
                Tensor.zeros(outChannels, inChannels / groups, this.kernelSize[0], this.kernelSize[1]));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        resetParameters();
    }

    private static long[] pair(long v) {
        return new long[] {v, v};
    }

    /** PyTorch's default initialisation (see the class comment). */
    public void resetParameters() {
        ConvSupport.reset(weight, bias);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!paddingMode.equals("zeros")) {
            Tensor padded = Padding.pad(input,
                    ConvSupport.explicitPadding(kernelSize, dilation, padding, paddingString), paddingMode, 0);
            return Convolutions.conv2d(padded, weight, bias, stride, new long[] {0, 0}, dilation, groups);
        }
        return paddingString != null
                ? Convolutions.conv2d(input, weight, bias, stride, paddingString, dilation, groups)
                : Convolutions.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        return ConvSupport.repr(inChannels, outChannels, kernelSize, stride, padding, paddingString, dilation, null,
                groups, bias != null, paddingMode);
    }
}
