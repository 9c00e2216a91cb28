package dev.ember.nn;

import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.Tensor;

/**
 * Max over sliding 2-D windows: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out = floor((H +
 * 2*padding[0] - dilation[0]*(kernelSize[0]-1) - 1) / stride[0]) + 1 (ceil with ceilMode; W_out alike). The
 * stride defaults to the kernel size and padding (at most half the kernel) is -inf. Sizes are (height, width)
 * pairs; printed as given (a number or a tuple), as PyTorch does. {@code return_indices} is not offered.
 */
public class MaxPool2d extends Module implements Layer {
    public final long[] kernelSize;
    public final long[] stride;
    public final long[] padding;
    public final long[] dilation;
    public final boolean ceilMode;
    private final boolean scalarArgs;

    public MaxPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool2d(long kernelSize, long stride) {
        this(kernelSize, stride, 0);
    }

    public MaxPool2d(long kernelSize, long stride, long padding) {
        this(kernelSize, stride, padding, 1, false);
    }

    public MaxPool2d(long kernelSize, long stride, long padding, long dilation, boolean ceilMode) {
        this(new long[] {kernelSize, kernelSize}, new long[] {stride, stride}, new long[] {padding, padding},
                new long[] {dilation, dilation}, ceilMode, true);
    }

    /** {@code stride} null means the kernel size. */
    public MaxPool2d(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
        this(kernelSize, stride, padding, dilation, ceilMode, false);
    }

    private MaxPool2d(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode,
                      boolean scalarArgs) {
        String layer = "MaxPool2d";
        this.kernelSize = ConvSupport.sizes(layer, "kernel_size", kernelSize, 2, 1);
        this.stride = stride == null ? this.kernelSize.clone() : ConvSupport.sizes(layer, "stride", stride, 2, 1);
        this.padding = ConvSupport.sizes(layer, "padding", padding, 2, 0);
        this.dilation = ConvSupport.sizes(layer, "dilation", dilation, 2, 1);
        this.ceilMode = ceilMode;
        this.scalarArgs = scalarArgs;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Pooling.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + ConvSupport.given(kernelSize, scalarArgs) + ", stride="
                + ConvSupport.given(stride, scalarArgs) + ", padding=" + ConvSupport.given(padding, scalarArgs)
                + ", dilation=" + ConvSupport.given(dilation, scalarArgs) + ", ceil_mode=" + bool(ceilMode);
    }
}
