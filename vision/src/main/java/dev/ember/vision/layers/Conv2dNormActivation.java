package dev.ember.vision.layers;

import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Layer;
import dev.ember.nn.Sequential;
import java.util.function.Supplier;

/**
 * Convolution, batch norm, activation, as torchvision's {@code ops.Conv2dNormActivation}: a {@link Sequential}
 * with children {@code 0} Conv2d (no bias, since the norm has one), {@code 1} BatchNorm2d and, when an activation
 * is given, {@code 2} that activation. Padding defaults to (kernelSize - 1) / 2 ("same" for odd kernels at
 * stride 1). input (N, C_in, H, W) -> (N, C_out, H_out, W_out).
 */
public class Conv2dNormActivation extends Sequential {
    public final Conv2d conv;
    public final BatchNorm2d norm;

    /**
     * @param activation makes the activation module (e.g. {@code SiLU::new}); null for none
     */
    public Conv2dNormActivation(long inChannels, long outChannels, long kernelSize, long stride, long groups,
                                Supplier<? extends Layer> activation) {
        this.conv = new Conv2d(inChannels, outChannels, kernelSize, stride, (kernelSize - 1) / 2, 1, groups, false,
                "zeros");
        this.norm = new BatchNorm2d(outChannels);
        add(conv);
        add(norm);
        if (activation != null) {
            add(activation.get());
        }
    }
}
