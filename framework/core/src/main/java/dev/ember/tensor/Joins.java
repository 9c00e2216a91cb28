package dev.ember.tensor;

import java.util.ArrayList;
import java.util.List;

/** cat and stack (copies) and split/chunk (views). */
final class Joins {
    private Joins() {
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        }
        Tensor first = tensors.get(0);
        if (first.dim() == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
        }
        int d = Shapes.wrapDim("cat", dim, first.dim());
        DType dtype = first.dtype();
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            Elementwise.sameDevice("cat", first, t);
            if (t.dim() != first.dim()) {
                throw new IllegalArgumentException("cat: tensors must have the same number of dimensions: got "
                        + first.dim() + " and " + t.dim() + " (tensor " + i + ")");
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.shape[k] != first.shape[k]) {
                    throw new IllegalArgumentException("cat: sizes of tensors must match except in dimension " + d
                            + ". Expected size " + first.shape[k] + " but got size " + t.shape[k] + " for tensor number "
                            + i + " in the list (shapes " + Shapes.str(first.shape) + " and " + Shapes.str(t.shape) + ")");
                }
            }
            dtype = DType.promote(dtype, t.dtype());
            total += t.shape[d];
        }
        int[] shape = first.shape.clone();
        shape[d] = total;
        Tensor out = Creation.output(dtype, shape, first);
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = at;
            Tensor region = out.detach().narrow(d, at, t.shape[d]);
            out.backend().copy(t.strided(), region.strided());
            at += t.shape[d];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Graph.record("CatBackward0", out, inputs, Graph.NONE, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                grads[i] = g.narrow(d, starts[i], inputs[i].shape[d]);
            }
            return grads;
        });
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        }
        int[] shape = tensors.get(0).shape;
        int d = Shapes.wrapDim("stack", dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!java.util.Arrays.equals(t.shape, shape)) {
                throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got "
                        + Shapes.str(shape) + " at entry 0 and " + Shapes.str(t.shape) + " at entry " + i);
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }

    static List<Tensor> split(Tensor x, long splitSize, int dim) {
        int d = requireDims("split", x, dim);
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split: split_size must be positive, got " + splitSize);
        }
        List<Tensor> parts = new ArrayList<>();
        for (long at = 0; at < x.shape[d]; at += splitSize) {
            parts.add(x.narrow(d, at, Math.min(splitSize, x.shape[d] - at)));
        }
        if (parts.isEmpty()) {
            parts.add(x.narrow(d, 0, 0));
        }
        return parts;
    }

    static List<Tensor> split(Tensor x, long[] sizes, int dim) {
        int d = requireDims("split", x, dim);
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: sizes must be non-negative, got " + java.util.Arrays.toString(sizes));
            }
            sum += s;
        }
        if (sum != x.shape[d]) {
            throw new IllegalArgumentException("split: split sizes " + java.util.Arrays.toString(sizes) + " add up to "
                    + sum + " but dimension " + d + " has size " + x.shape[d]);
        }
        List<Tensor> parts = new ArrayList<>();
        long at = 0;
        for (long s : sizes) {
            parts.add(x.narrow(d, at, s));
            at += s;
        }
        return parts;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        int d = requireDims("chunk", x, dim);
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        }
        long size = (x.shape[d] + chunks - 1) / chunks;
        return split(x, Math.max(size, 1), d);
    }

    private static int requireDims(String op, Tensor x, int dim) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException(op + ": expected at least a 1-dimensional tensor");
        }
        return Shapes.wrapDim(op, dim, x.dim());
    }
}
