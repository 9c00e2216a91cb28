package dev.ember.vision.models;

import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.SiLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import dev.ember.vision.layers.Conv2dNormActivation;
import dev.ember.vision.layers.SqueezeExcitation;
import dev.ember.vision.layers.StochasticDepth;

/**
 * EfficientNet's mobile inverted bottleneck, as torchvision's {@code MBConv}: {@code block} Sequential of
 * [1x1 expansion Conv2dNormActivation (SiLU), only when expandRatio != 1], depthwise kxk Conv2dNormActivation at
 * {@code stride} (SiLU), {@link SqueezeExcitation} (squeeze to max(1, inputChannels / 4), SiLU), 1x1 projection
 * Conv2dNormActivation (no activation); then, when stride is 1 and the channels are kept,
 * {@code stochastic_depth(block(x)) + x}. input (N, inputChannels, H, W) -> (N, outChannels, H/stride, W/stride).
 */
public class MBConv extends Module implements Layer {
    public final Sequential block;
    public final StochasticDepth stochasticDepth;
    public final boolean useResConnect;
    public final long outChannels;

    /**
     * @param expandedChannels the width of the depthwise part (torchvision: _make_divisible(in * expand_ratio, 8))
     */
    public MBConv(long inputChannels, long expandedChannels, long outChannels, long kernel, long stride,
                  double stochasticDepthProb) {
        if (stride < 1 || stride > 2) {
            throw new IllegalArgumentException("MBConv: illegal stride value " + stride + " (1 or 2)");
        }
        this.useResConnect = stride == 1 && inputChannels == outChannels;
        this.outChannels = outChannels;
        Sequential layers = new Sequential();
        if (expandedChannels != inputChannels) {
            layers.add(new Conv2dNormActivation(inputChannels, expandedChannels, 1, 1, 1, SiLU::new));
        }
        layers.add(new Conv2dNormActivation(expandedChannels, expandedChannels, kernel, stride, expandedChannels,
                SiLU::new));
        long squeezeChannels = Math.max(1, inputChannels / 4);
        layers.add(new SqueezeExcitation(expandedChannels, squeezeChannels, new SiLU(), new dev.ember.nn.Sigmoid()));
        layers.add(new Conv2dNormActivation(expandedChannels, outChannels, 1, 1, 1, null));
        this.block = registerModule("block", layers);
        this.stochasticDepth = registerModule("stochastic_depth", new StochasticDepth(stochasticDepthProb, "row"));
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor result = block.forward(input);
        if (useResConnect) {
            result = stochasticDepth.forward(result).add(input);
        }
        return result;
    }
}
