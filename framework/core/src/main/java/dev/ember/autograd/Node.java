package dev.ember.autograd;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One recorded operation in the autograd graph (PyTorch's {@code grad_fn}). It knows, for each input, the
 * node that produced it ({@code null} for inputs that need no gradient) and the input's shape and dtype,
 * so the engine can undo broadcasting and dtype promotion once for every op (sum the gradient back to the
 * input's shape, cast it to the input's dtype).
 */
public abstract class Node {
    private final String name;
    private final Node[] next;
    private final long[][] inputShapes;
    private final DType[] inputDTypes;
    private List<Tensor> retained;

    protected Node(String name, Node[] next, long[][] inputShapes, DType[] inputDTypes) {
        this.name = name;
        this.next = next;
        this.inputShapes = inputShapes;
        this.inputDTypes = inputDTypes;
    }

    /** PyTorch-style name, e.g. {@code MulBackward0}. */
    public String name() {
        return name;
    }

    /**
     * Gradients with respect to each input, given the gradient of this node's output. Entries may be
     * {@code null} (no gradient flows there) and may still have the output's broadcast shape or dtype.
     */
    protected abstract Tensor[] apply(Tensor gradOutput);

    /**
     * For a view op whose input gradient is zero outside the region the view picks out (select, slice, narrow,
     * chunk): adds {@code gradOutput} into that region of {@code inputGrad}, the input's gradient that the engine
     * is accumulating (contiguous, the input's shape and dtype, owned by the engine), and returns true. The
     * default returns false and the engine calls {@link #apply}. This spares a zero tensor of the input's size
     * per view: an LSTM selects each of its L time steps from one (L, N, 4H) projection, which would otherwise
     * cost L full-size zero tensors and L full-size additions in backward.
     */
    protected boolean accumulateInto(Tensor inputGrad, Tensor gradOutput) {
        return false;
    }

    /** Whether {@link #accumulateInto} is implemented (only for nodes with exactly one input). */
    protected boolean accumulatesInto() {
        return false;
    }

    /**
     * Whether every non-null gradient {@link #apply} returns is a new buffer, or a view of one, that nothing else
     * references and that differs for each input (the products of a matrix product's backward): the engine may
     * then add into it in place and a leaf may keep it instead of copying it. The default, false, is always safe.
     */
    protected boolean freshGradients() {
        return false;
    }

    /** Drops what backward needed (saved tensors, closures), after a backward without retainGraph. */
    protected void release() {
    }

    final Node next(int i) {
        return next[i];
    }

    final int inputCount() {
        return next.length;
    }

    final long[] inputShape(int i) {
        return inputShapes[i];
    }

    final DType inputDType(int i) {
        return inputDTypes[i];
    }

    /** Makes the engine store the gradient flowing into this node in {@code t.grad()} (retain_grad). */
    public final void retainGradFor(Tensor t) {
        if (retained == null) {
            retained = new ArrayList<>(1);
        }
        if (!retained.contains(t)) {
            retained.add(t);
        }
    }

    final List<Tensor> retained() {
        return retained == null ? List.of() : retained;
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
