package dev.ember.vision.layers;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sigmoid;
import dev.ember.tensor.Tensor;

/**
 * Squeeze-and-Excitation (Hu et al., 2018), as torchvision's {@code ops.SqueezeExcitation}: the input is scaled
 * per channel by {@code scale_activation(fc2(activation(fc1(avgpool(input)))))}, where fc1 and fc2 are 1x1
 * convolutions (with bias). input (N, C, H, W) -> (N, C, H, W). Children {@code avgpool}, {@code fc1},
 * {@code fc2}, {@code activation}, {@code scale_activation}, so state-dict keys are {@code fc1.weight} (S, C, 1, 1),
 * {@code fc1.bias}, {@code fc2.weight} (C, S, 1, 1), {@code fc2.bias}.
 */
public class SqueezeExcitation extends Module implements Layer {
    public final AdaptiveAvgPool2d avgpool;
    public final Conv2d fc1;
    public final Conv2d fc2;
    public final Layer activation;
    public final Layer scaleActivation;

    /** torchvision's defaults: ReLU and Sigmoid. */
    public SqueezeExcitation(long inputChannels, long squeezeChannels) {
        this(inputChannels, squeezeChannels, new ReLU(), new Sigmoid());
    }

    public SqueezeExcitation(long inputChannels, long squeezeChannels, Layer activation, Layer scaleActivation) {
        this.avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        this.fc1 = registerModule("fc1", new Conv2d(inputChannels, squeezeChannels, 1));
        this.fc2 = registerModule("fc2", new Conv2d(squeezeChannels, inputChannels, 1));
        registerModule("activation", Modules.asModule("SqueezeExcitation", activation));
        registerModule("scale_activation", Modules.asModule("SqueezeExcitation", scaleActivation));
        this.activation = activation;
        this.scaleActivation = scaleActivation;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor scale = avgpool.forward(input);
        scale = fc2.forward(activation.forward(fc1.forward(scale)));
        return scaleActivation.forward(scale).mul(input);
    }
}
