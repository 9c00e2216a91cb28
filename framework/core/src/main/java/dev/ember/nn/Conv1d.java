package dev.ember.nn;

import dev.ember.nn.functional.Convolutions;
import dev.ember.nn.functional.Padding;
import dev.ember.tensor.Tensor;

/**
 * 1-D convolution over (N, C_in, L) or (C_in, L) inputs -> (N, C_out, L_out), with
 * L_out = floor((L + 2*padding - dilation*(kernelSize-1) - 1) / stride) + 1. Weight (out_channels,
 * in_channels/groups, kernelSize), bias (out_channels), initialised as PyTorch's (kaiming_uniform with a=sqrt(5),
 * bias U(+-1/sqrt(fan_in))). Padding is numeric or "same"/"valid"; paddingMode is "zeros", "reflect", "replicate"
 * or "circular". The window fields are 1-element arrays, as PyTorch's 1-tuples.
 */
public class Conv1d extends Module implements Layer {
    public final long inChannels;
    public final long outChannels;
    public final long[] kernelSize;
    public final long[] stride;
    /** Numeric padding; null when {@link #paddingString} is set. */
    public final long[] padding;
    /** "same" or "valid" when padding was given as a string, else null. */
    public final String paddingString;
    public final long[] dilation;
    public final long groups;
    public final String paddingMode;
    public final Tensor weight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor bias;

    public Conv1d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride) {
        this(inChannels, outChannels, kernelSize, stride, 0);
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros");
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, String padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros");
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
                  long groups, boolean bias, String paddingMode) {
        this(inChannels, outChannels, kernelSize, stride, new long[] {padding}, null, dilation, groups, bias,
                paddingMode);
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, String padding, long dilation,
                  long groups, boolean bias, String paddingMode) {
        this(inChannels, outChannels, kernelSize, stride, null, padding, dilation, groups, bias, paddingMode);
    }

    private Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long[] padding,
                   String paddingString, long dilation, long groups, boolean bias, String paddingMode) {
        String layer = "Conv1d";
        ConvSupport.checkChannels(layer, inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = ConvSupport.sizes(layer, "kernel_size", new long[] {kernelSize}, 1, 1);
        this.stride = ConvSupport.sizes(layer, "stride", new long[] {stride}, 1, 1);
        this.padding = padding == null ? null : ConvSupport.sizes(layer, "padding", padding, 1, 0);
        if (paddingString != null) {
            ConvSupport.checkPadding(layer, paddingString, this.stride);
        }
        this.paddingString = paddingString;
        this.dilation = ConvSupport.sizes(layer, "dilation", new long[] {dilation}, 1, 1);
        this.groups = groups;
        ConvSupport.checkPaddingMode(layer, paddingMode);
        this.paddingMode = paddingMode;
        this.weight = registerParameter("weight", Tensor.zeros(outChannels, inChannels / groups, kernelSize));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        resetParameters();
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
            return Convolutions.conv1d(padded, weight, bias, stride[0], 0, dilation[0], groups);
        }
        return paddingString != null
                ? Convolutions.conv1d(input, weight, bias, stride[0], paddingString, dilation[0], groups)
                : Convolutions.conv1d(input, weight, bias, stride[0], padding[0], dilation[0], groups);
    }

    @Override
    protected String extraRepr() {
        return ConvSupport.repr(inChannels, outChannels, kernelSize, stride, padding, paddingString, dilation, null,
                groups, bias != null, paddingMode);
    }
}
