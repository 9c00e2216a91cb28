package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/**
 * log(1 + exp(beta x)) / beta element-wise, linear where beta x &gt; threshold (defaults beta 1, threshold 20); any
 * shape. Integral values print as Python ints ({@code Softplus(beta=1, threshold=20)}), as PyTorch's defaults do.
 */
public class Softplus extends Module implements Layer {
    public final double beta;
    public final double threshold;

    public Softplus() {
        this(1, 20);
    }

    public Softplus(double beta, double threshold) {
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.softplus(input, beta, threshold);
    }

    @Override
    protected String extraRepr() {
        return "beta=" + Repr.pyNumber(beta) + ", threshold=" + Repr.pyNumber(threshold);
    }
}
