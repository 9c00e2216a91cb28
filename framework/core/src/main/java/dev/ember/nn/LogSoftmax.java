package dev.ember.nn;

import dev.ember.nn.functional.Activations;
import dev.ember.tensor.Tensor;

/** x - logsumexp(x) along {@code dim}; any shape. Without a dim, picked as {@link Softmax} does. */
public class LogSoftmax extends Module implements Layer {
    /** Null for PyTorch's implicit choice. */
    public final Integer dim;

    public LogSoftmax() {
        this.dim = null;
    }

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.logSoftmax(input, dim != null ? dim : Softmax.implicitDim(input.dim()));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + (dim == null ? "None" : dim);
    }
}
