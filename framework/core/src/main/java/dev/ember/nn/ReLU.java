package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** max(x, 0) element-wise; any shape. */
public class ReLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor input) {
        return Activations.relu(input);
    }
}
