package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Returns its input unchanged: a placeholder where a layer is optional. */
public class Identity extends Module implements Layer {
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
