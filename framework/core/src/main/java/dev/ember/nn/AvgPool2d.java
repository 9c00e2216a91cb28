package dev.ember.nn;

import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.Tensor;

/**
 * Average over sliding 2-D windows: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out = floor((H +
 * 2*padding[0] - kernelSize[0]) / stride[0]) + 1 (ceil with ceilMode; W_out alike). The stride defaults to the
 * kernel size; zero padding (at most half the kernel) counts in the divisor with countIncludePad (the default);
 * divisorOverride (null for none) replaces the divisor. Sizes are (height, width) pairs, printed as given.
 */
public class AvgPool2d extends Module implements Layer {
    public final long[] kernelSize;
    public final long[] stride;
    public final long[] padding;
    public final boolean ceilMode;
    public final boolean countIncludePad;
    /** Null when the divisor is the window's element count. */
    public final Long divisorOverride;
    private final boolean scalarArgs;

    public AvgPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    public AvgPool2d(long kernelSize, long stride) {
        this(kernelSize, stride, 0);
    }

    public AvgPool2d(long kernelSize, long stride, long padding) {
        this(kernelSize, stride, padding, false, true, null);
    }

    public AvgPool2d(long kernelSize, long stride, long padding, boolean ceilMode, boolean countIncludePad,
                     Long divisorOverride) {
        this(new long[] {kernelSize, kernelSize}, new long[] {stride, stride}, new long[] {padding, padding}, ceilMode,
                countIncludePad, divisorOverride, true);
    }

    /** {@code stride} null means the kernel size. */
    public AvgPool2d(long[] kernelSize, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad,
                     Long divisorOverride) {
        this(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride, false);
    }

    private AvgPool2d(long[] kernelSize, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad,
                      Long divisorOverride, boolean scalarArgs) {
        String layer = "AvgPool2d";
        this.kernelSize = ConvSupport.sizes(layer, "kernel_size", kernelSize, 2, 1);
        this.stride = stride == null ? this.kernelSize.clone() : ConvSupport.sizes(layer, "stride", stride, 2, 1);
        this.padding = ConvSupport.sizes(layer, "padding", padding, 2, 0);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
        this.scalarArgs = scalarArgs;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Pooling.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + ConvSupport.given(kernelSize, scalarArgs) + ", stride="
                + ConvSupport.given(stride, scalarArgs) + ", padding=" + ConvSupport.given(padding, scalarArgs);
    }
}
