package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** x * sigmoid(x) element-wise; any shape. */
public class SiLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor input) {
        return Activations.silu(input);
    }
}
