package dev.ember.tensor;

import dev.ember.autograd.FunctionNode;
import dev.ember.autograd.Node;

/**
 * Records an op in the autograd graph: when grad mode is on and an input requires grad, the output gets a
 * {@link FunctionNode} pointing at the inputs' nodes. Ops call this right after computing their output, with
 * the backward closure next to the forward code.
 */
final class Graph {
    private Graph() {
    }

    /**
     * @param name     PyTorch-style node name ({@code MulBackward0})
     * @param out      the freshly computed output
     * @param inputs   the op's tensor inputs, in the order the backward returns their gradients
     * @param saved    tensors the backward reads; modifying one in place before backward is an error
     * @param backward gradient of each input from the output's gradient
     */
    static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved, FunctionNode.Backward backward) {
        if (!Tensor.gradRecording(inputs)) {
            return out;
        }
        Node[] next = new Node[inputs.length];
        long[][] shapes = new long[inputs.length][];
        DType[] dtypes = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            next[i] = inputs[i].gradEdge();
            shapes[i] = inputs[i].shape();
            dtypes[i] = inputs[i].dtype();
        }
        out.gradFn = new FunctionNode(name, next, shapes, dtypes, saved, backward);
        out.requiresGrad = true;
        return out;
    }

    /**
     * {@link #record}, for a backward whose gradients are new buffers (or views of new buffers), one per input,
     * that nothing else holds ({@link dev.ember.autograd.Node#freshGradients}): leaves keep them without a copy.
     */
    static Tensor recordFresh(String name, Tensor out, Tensor[] inputs, Tensor[] saved,
                              FunctionNode.Backward backward) {
        record(name, out, inputs, saved, backward);
        if (out.gradFn instanceof FunctionNode f) {
            f.withFreshGradients();
        }
        return out;
    }

    static Tensor record(String name, Tensor out, Tensor input, Tensor[] saved, FunctionNode.Backward backward) {
        return record(name, out, new Tensor[] {input}, saved, backward);
    }

    /**
     * Records a view of one input whose gradient is zero outside the viewed region: {@code into} adds the
     * output's gradient into that region of the input's gradient buffer, so backward never builds a zero tensor
     * per view ({@link dev.ember.autograd.Node#accumulateInto}); {@code backward} is the plain twin.
     */
    static Tensor recordView(String name, Tensor out, Tensor input, FunctionNode.Backward backward,
                             FunctionNode.Into into) {
        if (!Tensor.gradRecording(input)) {
            return out;
        }
        out.gradFn = new FunctionNode(name, new Node[] {input.gradEdge()}, new long[][] {input.shape()},
                new DType[] {input.dtype()}, NONE, backward, into);
        out.requiresGrad = true;
        return out;
    }

    static final Tensor[] NONE = new Tensor[0];
}
