package dev.ember.autograd;

import dev.ember.tensor.Tensor;

/**
 * The node at a leaf that requires grad: it adds the incoming gradient into {@code leaf.grad()}. The first
 * gradient is copied, so a leaf's grad never aliases another tensor (an in-place {@code zeroi()} on one
 * leaf's grad must not touch another's).
 */
public final class AccumulateGrad extends Node {
    private final Tensor leaf;

    public AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad", new Node[0], new long[0][], new dev.ember.tensor.DType[0]);
        this.leaf = leaf;
    }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        Tensor g = gradOutput.to(leaf.dtype());
        Tensor old = leaf.grad();
        leaf.setGrad(old == null ? g.clone() : old.add(g));
        return new Tensor[0];
    }
}
