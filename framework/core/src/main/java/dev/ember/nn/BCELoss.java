package dev.ember.nn;

import dev.ember.nn.functional.Losses;
import dev.ember.tensor.Tensor;

/**
 * Binary cross entropy of probabilities in [0, 1] against targets of the same shape, logs clamped at -100;
 * see {@link Losses#binaryCrossEntropy(Tensor, Tensor, Tensor, String)}. Optional buffer {@code weight}
 * broadcasts to the input.
 */
public class BCELoss extends Loss {
    public BCELoss() {
        this(null, "mean");
    }

    public BCELoss(Tensor weight, String reduction) {
        super(reduction);
        registerBuffer("weight", weight);
    }

    public Tensor weight() {
        return buffer("weight");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropy(input, target, weight(), reduction);
    }
}
