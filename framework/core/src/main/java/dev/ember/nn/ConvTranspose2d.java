package dev.ember.nn;

import dev.ember.nn.functional.Convolutions;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * 2-D transposed convolution (the gradient of Conv2d with respect to its input, used to upsample):
 * (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out) with H_out = (H-1)*stride[0] - 2*padding[0] +
 * dilation[0]*(kernelSize[0]-1) + outputPadding[0] + 1 (W_out alike). Weight (in_channels, out_channels/groups,
 * kH, kW), bias (out_channels); initialised as PyTorch's (kaiming_uniform with a=sqrt(5) and bias
 * U(+-1/sqrt(fan_in)), where fan_in = out_channels/groups * kH * kW from the weight's layout). Arguments follow
 * PyTorch's order (..., outputPadding, groups, bias, dilation, paddingMode); only "zeros" padding exists, as in
 * PyTorch.
 */
public class ConvTranspose2d extends Module implements Layer {
    public final long inChannels;
    public final long outChannels;
    public final long[] kernelSize;
    public final long[] stride;
    public final long[] padding;
    public final long[] outputPadding;
    public final long groups;
    public final long[] dilation;
    public final String paddingMode;
    public final Tensor weight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor bias;

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 0);
    }

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride) {
        this(inChannels, outChannels, kernelSize, stride, 0, 0);
    }

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 0);
    }

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
                           long outputPadding) {
        this(inChannels, outChannels, kernelSize, stride, padding, outputPadding, 1, true, 1, "zeros");
    }

    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
                           long outputPadding, long groups, boolean bias, long dilation, String paddingMode) {
        this(inChannels, outChannels, pair(kernelSize), pair(stride), pair(padding), pair(outputPadding), groups,
                bias, pair(dilation), paddingMode);
    }

    public ConvTranspose2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
                           long[] outputPadding, long groups, boolean bias, long[] dilation, String paddingMode) {
        String layer = "ConvTranspose2d";
        ConvSupport.checkChannels(layer, inChannels, outChannels, groups);
        if (!paddingMode.equals("zeros")) {
            throw new IllegalArgumentException(layer + ": only \"zeros\" padding mode is supported, got \""
                    + paddingMode + "\"");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = ConvSupport.sizes(layer, "kernel_size", kernelSize, 2, 1);
        this.stride = ConvSupport.sizes(layer, "stride", stride, 2, 1);
        this.padding = ConvSupport.sizes(layer, "padding", padding, 2, 0);
        this.outputPadding = ConvSupport.sizes(layer, "output_padding", outputPadding, 2, 0);
        this.groups = groups;
        this.dilation = ConvSupport.sizes(layer, "dilation", dilation, 2, 1);
        this.paddingMode = paddingMode;
        this.weight = registerParameter("weight",
                Tensor.zeros(inChannels, outChannels / groups, this.kernelSize[0], this.kernelSize[1]));
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
        return Convolutions.convTranspose2d(input, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /**
     * Forward with a requested output size (H_out, W_out) (or the full (N, C_out, H_out, W_out)), which picks the
     * output padding in place of {@link #outputPadding}, as PyTorch's {@code forward(input, output_size)}: each
     * size must lie between the size without output padding and that plus stride - 1.
     */
    public Tensor forward(Tensor input, long[] outputSize) {
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException("ConvTranspose2d: expected 3D (unbatched) or 4D (batched) input, got "
                    + "input of size " + Arrays.toString(input.shape()));
        }
        long[] size = outputSize.length == input.dim() ? Arrays.copyOfRange(outputSize, outputSize.length - 2,
                outputSize.length) : outputSize;
        if (size.length != 2) {
            throw new IllegalArgumentException("ConvTranspose2d: output_size must have 2 or " + input.dim()
                    + " elements, got " + Arrays.toString(outputSize));
        }
        long[] pad = new long[2];
        for (int i = 0; i < 2; i++) {
            long in = input.size(input.dim() - 2 + i);
            long min = (in - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernelSize[i] - 1) + 1;
            long max = min + stride[i] - 1;
            if (size[i] < min || size[i] > max) {
                throw new IllegalArgumentException("ConvTranspose2d: requested an output size of "
                        + Arrays.toString(size) + ", but valid sizes range from " + min + " to " + max
                        + " in dimension " + i + " (for an input of " + Arrays.toString(input.shape()) + ")");
            }
            pad[i] = size[i] - min;
        }
        return Convolutions.convTranspose2d(input, weight, bias, stride, padding, pad, groups, dilation);
    }

    @Override
    protected String extraRepr() {
        return ConvSupport.repr(inChannels, outChannels, kernelSize, stride, padding, null, dilation, outputPadding,
                groups, bias != null, paddingMode);
    }
}
