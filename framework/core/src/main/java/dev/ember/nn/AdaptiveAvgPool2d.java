package dev.ember.nn;

import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.Tensor;

/**
 * Average pooling to a fixed output size: (N, C, H, W) or (C, H, W) -> (N, C, outputSize[0], outputSize[1]);
 * output row i averages input rows floor(i*H/H_out) .. ceil((i+1)*H/H_out) - 1 (columns alike). PyTorch's
 * {@code None} entries (keep the input's size) are not offered.
 */
public class AdaptiveAvgPool2d extends Module implements Layer {
    public final long[] outputSize;
    private final boolean scalarArg;

    public AdaptiveAvgPool2d(long outputSize) {
        this(new long[] {outputSize, outputSize}, true);
    }

    public AdaptiveAvgPool2d(long[] outputSize) {
        this(outputSize, false);
    }

    private AdaptiveAvgPool2d(long[] outputSize, boolean scalarArg) {
        this.outputSize = ConvSupport.sizes("AdaptiveAvgPool2d", "output_size", outputSize, 2, 0);
        this.scalarArg = scalarArg;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Pooling.adaptiveAvgPool2d(input, outputSize);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + ConvSupport.given(outputSize, scalarArg);
    }
}
