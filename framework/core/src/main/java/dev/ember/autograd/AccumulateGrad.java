package dev.ember.autograd;

import dev.ember.tensor.Tensor;

/**
 * The node at a leaf that requires grad: it adds the incoming gradient into {@code leaf.grad()}. The first
 * gradient is copied, so a leaf's grad never aliases another tensor (an in-place {@code zeroi()} on one
 * leaf's grad must not touch another's), unless the engine hands over a gradient it made and owns.
 */
public final class AccumulateGrad extends Node {
    private final Tensor leaf;

    public AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad", new Node[0], new long[0][], new dev.ember.tensor.DType[0]);
        this.leaf = leaf;
    }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        accumulate(gradOutput, false);
        return new Tensor[0];
    }

    /**
     * Adds {@code gradOutput} into the leaf's grad; with {@code owned} (a tensor that nothing else references) the
     * first gradient is kept as it is instead of copied, when it is contiguous and spans its whole buffer.
     * Returns whether it was kept (its buffer then lives on as the leaf's grad).
     */
    boolean accumulate(Tensor gradOutput, boolean owned) {
        Tensor g = gradOutput.to(leaf.dtype());
        Tensor old = leaf.grad();
        if (old == null) {
            boolean keep = owned && g == gradOutput && wholeBuffer(g);
            leaf.setGrad(keep ? g : g.clone());
            return keep;
        }
        leaf.setGrad(old.add(g));
        return false;
    }

    private static boolean wholeBuffer(Tensor g) {
        return g.isContiguous() && g.strided().offset() == 0 && g.strided().storage().size() == g.numel();
    }
}
