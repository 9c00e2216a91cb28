package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** 1 / (1 + exp(-x)) element-wise; any shape. */
public class Sigmoid extends Module implements Layer {
    @Override
    public Tensor forward(Tensor input) {
        return Activations.sigmoid(input);
    }
}
