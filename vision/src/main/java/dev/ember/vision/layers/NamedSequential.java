package dev.ember.vision.layers;

import dev.ember.nn.Layer;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

/**
 * Layers applied in order under chosen names, as PyTorch's {@code nn.Sequential(OrderedDict(...))} (torchvision's
 * ViT names its blocks {@code encoder_layer_0}, ... and its head {@code head}). input -> output of the last layer.
 */
public class NamedSequential extends Module implements Layer {
    /** Appends {@code layer} (a Module) under {@code name}; returns this. */
    public final NamedSequential add(String name, Layer layer) {
        registerModule(name, Modules.asModule("NamedSequential", layer));
        return this;
    }

    public final Layer get(String name) {
        Module m = namedChildren().get(name);
        if (m == null) {
            throw new IllegalArgumentException("NamedSequential: no layer named '" + name + "', have "
                    + namedChildren().keySet());
        }
        return (Layer) m;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children()) {
            x = ((Layer) m).forward(x);
        }
        return x;
    }
}
