package dev.ember.nn;

import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.Tensor;

/**
 * Max over sliding windows: (N, C, L) or (C, L) -> (N, C, L_out), L_out = floor((L + 2*padding -
 * dilation*(kernelSize-1) - 1) / stride) + 1 (ceil with ceilMode). The stride defaults to the kernel size and
 * padding (at most half the kernel) is -inf. PyTorch's {@code return_indices} is not offered.
 */
public class MaxPool1d extends Module implements Layer {
    public final long kernelSize;
    public final long stride;
    public final long padding;
    public final long dilation;
    public final boolean ceilMode;

    public MaxPool1d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool1d(long kernelSize, long stride) {
        this(kernelSize, stride, 0);
    }

    public MaxPool1d(long kernelSize, long stride, long padding) {
        this(kernelSize, stride, padding, 1, false);
    }

    public MaxPool1d(long kernelSize, long stride, long padding, long dilation, boolean ceilMode) {
        ConvSupport.sizes("MaxPool1d", "kernel_size", new long[] {kernelSize}, 1, 1);
        ConvSupport.sizes("MaxPool1d", "stride", new long[] {stride}, 1, 1);
        ConvSupport.sizes("MaxPool1d", "padding", new long[] {padding}, 1, 0);
        ConvSupport.sizes("MaxPool1d", "dilation", new long[] {dilation}, 1, 1);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Pooling.maxPool1d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
                + ", ceil_mode=" + bool(ceilMode);
    }
}
