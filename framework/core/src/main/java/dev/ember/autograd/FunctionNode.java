package dev.ember.autograd;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * A node whose backward is a closure written next to its forward (micrograd's {@code _backward}). The
 * tensors the closure reads are declared as saved, with their version at save time: if one is modified
 * in place before backward, backward fails with PyTorch's message instead of computing a wrong gradient.
 */
public final class FunctionNode extends Node {

    /** Gradients for each input from the output's gradient. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * For views of one input: adds the output's gradient into the viewed region of the input's gradient
     * ({@link Node#accumulateInto}); must give the same sum as adding {@link Backward}'s result.
     */
    @FunctionalInterface
    public interface Into {
        void addInto(Tensor inputGrad, Tensor gradOutput);
    }

    private Backward backward;
    private Into into;
    private Tensor[] saved;
    private int[] savedVersions;
    private boolean released;
    private boolean fresh;

    public FunctionNode(String name, Node[] next, long[][] inputShapes, DType[] inputDTypes,
                        Tensor[] saved, Backward backward) {
        this(name, next, inputShapes, inputDTypes, saved, backward, null);
    }

    /** With {@code into} (nullable) for a one-input view whose gradient only touches the viewed region. */
    public FunctionNode(String name, Node[] next, long[][] inputShapes, DType[] inputDTypes,
                        Tensor[] saved, Backward backward, Into into) {
        super(name, next, inputShapes, inputDTypes);
        this.backward = backward;
        this.into = next.length == 1 ? into : null;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            savedVersions[i] = saved[i].version();
        }
    }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        checkUsable();
        return backward.apply(gradOutput);
    }

    /** Declares that the backward returns fresh gradients ({@link Node#freshGradients}); returns this node. */
    public FunctionNode withFreshGradients() {
        fresh = true;
        return this;
    }

    @Override
    protected boolean freshGradients() {
        return fresh;
    }

    @Override
    protected boolean accumulatesInto() {
        return into != null;
    }

    @Override
    protected boolean accumulateInto(Tensor inputGrad, Tensor gradOutput) {
        checkUsable();
        into.addInto(inputGrad, gradOutput);
        return true;
    }

    private void checkUsable() {
        if (released) {
            throw new IllegalStateException("Trying to backward through the graph a second time (or directly "
                    + "access saved tensors after they have already been freed) in " + name()
                    + ": the graph is freed after backward(); call backward(gradient, true) to retain it");
        }
        for (int i = 0; i < saved.length; i++) {
            if (saved[i].version() != savedVersions[i]) {
                throw new IllegalStateException("one of the variables needed for gradient computation has been "
                        + "modified by an inplace operation: [" + saved[i].dtype().torchName() + " "
                        + java.util.Arrays.toString(saved[i].shape()) + "], which is output " + i + " of "
                        + name() + ", is at version " + saved[i].version() + "; expected version "
                        + savedVersions[i] + " instead");
            }
        }
    }

    @Override
    protected void release() {
        released = true;
        backward = null;
        into = null;
        saved = new Tensor[0];
        savedVersions = new int[0];
    }
}
