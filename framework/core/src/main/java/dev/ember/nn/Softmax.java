package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/**
 * exp(x) / sum(exp(x)) along {@code dim}; any shape. Without a dim ({@code new Softmax()}, PyTorch's deprecated
 * {@code dim=None}) the dim is picked as PyTorch does: 0 for 0-, 1- and 3-D inputs, else 1.
 */
public class Softmax extends Module implements Layer {
    /** Null for PyTorch's implicit choice. */
    public final Integer dim;

    public Softmax() {
        this.dim = null;
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.softmax(input, dim != null ? dim : implicitDim(input.dim()));
    }

    /** PyTorch's {@code _get_softmax_dim} for dim=None. */
    static int implicitDim(int ndim) {
        return ndim == 0 || ndim == 1 || ndim == 3 ? 0 : 1;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + (dim == null ? "None" : dim);
    }
}
