package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Merges dims startDim..endDim (defaults 1 and -1: everything but the batch dim): (N, *) -> (N, prod(*)). */
public class Flatten extends Module implements Layer {
    public final int startDim;
    public final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
