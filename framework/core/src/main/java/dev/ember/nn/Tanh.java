package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** tanh element-wise; any shape. */
public class Tanh extends Module implements Layer {
    @Override
    public Tensor forward(Tensor input) {
        return Activations.tanh(input);
    }
}
