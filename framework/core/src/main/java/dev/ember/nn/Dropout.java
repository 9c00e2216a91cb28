package dev.ember.nn;

import dev.ember.nn.functional.Dropouts;
import dev.ember.tensor.Tensor;

/** Zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity in eval mode. */
public class Dropout extends Module implements Layer {
    public final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Dropouts.dropout(input, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + Repr.pyFloat(p) + ", inplace=False";
    }
}
