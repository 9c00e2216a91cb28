package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** x for x &gt; 0, alpha * (exp(x) - 1) otherwise (default alpha 1.0); any shape. */
public class ELU extends Module implements Layer {
    public final double alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.elu(input, alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + Repr.pyFloat(alpha);
    }
}
