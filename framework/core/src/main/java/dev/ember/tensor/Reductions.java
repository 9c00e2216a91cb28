package dev.ember.tensor;

import dev.ember.backend.ReduceOp;

/**
 * Reductions. sum, max/min and argmax/argmin are kernels; mean, var, std, logsumexp, softmax and logSoftmax
 * are composed from them (DESIGN.md §2), so their gradients come for free and stay right.
 */
final class Reductions {
    private Reductions() {
    }

    /** Output shape with reduced dims set to 1 (keepDim form). */
    private static int[] keptShape(int[] shape, int[] dims) {
        int[] r = shape.clone();
        for (int d : dims) {
            r[d] = 1;
        }
        return r;
    }

    private static int[] droppedShape(int[] shape, int[] dims) {
        int[] r = new int[shape.length - dims.length];
        for (int d = 0, j = 0, k = 0; d < shape.length; d++) {
            if (k < dims.length && dims[k] == d) {
                k++;
            } else {
                r[j++] = shape[d];
            }
        }
        return r;
    }

    /** Runs a reduce kernel; result in keepDim layout, then reshaped if !keepDim. */
    private static Tensor kernel(ReduceOp op, Tensor x, int[] dims, DType outType, boolean keepDim) {
        int[] kept = keptShape(x.shape, dims);
        Tensor out = Creation.output(outType, kept, x);
        if (x.numel() == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": expected a non-empty tensor, got shape "
                    + Shapes.str(x.shape));
        }
        if (x.numel() > 0) {
            out.backend().reduce(op, x.strided(), dims, out.strided());
        }
        return keepDim ? out : new Tensor(out.storage, droppedShape(x.shape, dims),
                Shapes.contiguousStrides(droppedShape(x.shape, dims)), 0, null);
    }

    static Tensor sum(Tensor x, int[] dimsArg, boolean keepDim) {
        int[] dims = Shapes.wrapDims("sum", dimsArg, x.dim());
        DType outType = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor src = x.dtype() == DType.BOOL ? Views.copyOf(x, DType.INT64) : x;
        Tensor out = kernel(ReduceOp.SUM, src, dims, outType, keepDim);
        long[] inShape = x.shape();
        long[] keptLong = Shapes.toLongs(keptShape(x.shape, dims));
        return Graph.record("SumBackward1", out, x, Graph.NONE,
                g -> new Tensor[] {g.reshape(keptLong).expand(inShape)});
    }

    static Tensor mean(Tensor x, int[] dimsArg, boolean keepDim) {
        requireFloat("mean", x);
        int[] dims = Shapes.wrapDims("mean", dimsArg, x.dim());
        return sum(x, dims, keepDim).div((double) count(x, dims));
    }

    private static long count(Tensor x, int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= x.shape[d];
        }
        return n;
    }

    /** max / min values (amax semantics: the gradient is shared equally between tied elements). */
    static Tensor extreme(boolean max, Tensor x, int[] dimsArg, boolean keepDim) {
        String op = max ? "max" : "min";
        int[] dims = Shapes.wrapDims(op, dimsArg, x.dim());
        Tensor out = kernel(max ? ReduceOp.MAX : ReduceOp.MIN, x, dims, x.dtype(), keepDim);
        long[] keptLong = Shapes.toLongs(keptShape(x.shape, dims));
        return Graph.record(max ? "MaxBackward1" : "MinBackward1", out, x, new Tensor[] {x, out}, g -> {
            Tensor hit = x.eq(out.reshape(keptLong)).to(g.dtype());
            return new Tensor[] {hit.div(hit.sum(dims, true)).mul(g.reshape(keptLong))};
        });
    }

    /**
     * max / min values along one dim, PyTorch's {@code max(dim).values}: unlike amax, the whole gradient goes to the
     * element argmax / argmin picks (the first of tied maxima), as PyTorch routes it through the returned indices.
     */
    static Tensor extremeDim(boolean max, Tensor x, int dim, boolean keepDim) {
        String op = max ? "max" : "min";
        int d = Shapes.wrapDim(op, dim, x.dim());
        int[] dims = x.dim() == 0 ? new int[0] : new int[] {d};
        Tensor out = kernel(max ? ReduceOp.MAX : ReduceOp.MIN, x, dims, x.dtype(), keepDim);
        if (!Tensor.gradRecording(x)) {
            return out;
        }
        long[] inShape = x.shape();
        if (x.dim() == 0) {
            return Graph.record(max ? "MaxBackward0" : "MinBackward0", out, x, Graph.NONE, g -> new Tensor[] {g});
        }
        // indices from the forward values (like PyTorch, which saves indices rather than the input)
        Tensor index = arg(max, x, d, true);
        long[] keptLong = index.shape();
        return Graph.record(max ? "MaxBackward0" : "MinBackward0", out, x, new Tensor[] {index},
                g -> new Tensor[] {g.newZeros(inShape).scatterAdd(d, index, g.reshape(keptLong))});
    }

    static Tensor arg(boolean max, Tensor x, Integer dim, boolean keepDim) {
        String op = max ? "argmax" : "argmin";
        ReduceOp kind = max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN;
        if (dim == null) {
            // flattened index: reduce over every dim, row-major, like argmax() with no dim
            return kernel(kind, x, Shapes.wrapDims(op, null, x.dim()), DType.INT64, false);
        }
        int d = Shapes.wrapDim(op, dim, x.dim());
        return kernel(kind, x, x.dim() == 0 ? new int[0] : new int[] {d}, DType.INT64, keepDim);
    }

    static Tensor var(Tensor x, int[] dimsArg, int correction, boolean keepDim) {
        requireFloat("var", x);
        int[] dims = Shapes.wrapDims("var", dimsArg, x.dim());
        Tensor centered = x.sub(x.mean(dims, true));
        double n = Math.max(count(x, dims) - correction, 0);
        return centered.mul(centered).sum(dims, keepDim).div(n);
    }

    static Tensor logsumexp(Tensor x, int[] dimsArg, boolean keepDim) {
        requireFloat("logsumexp", x);
        int[] dims = Shapes.wrapDims("logsumexp", dimsArg, x.dim());
        Tensor m = shift(x, dims);
        Tensor r = x.sub(m).exp().sum(dims, true).log().add(m);
        return keepDim ? r : r.reshape(Shapes.toLongs(droppedShape(x.shape, dims)));
    }

    /** The detached max over dims (keepDim), with infinities replaced by 0 so x - m stays finite. */
    private static Tensor shift(Tensor x, int[] dims) {
        Tensor m = x.detach().amax(dims, true);
        return m.maskedFill(m.abs().eq(Double.POSITIVE_INFINITY), 0.0);
    }

    static Tensor softmax(Tensor x, int dim) {
        requireFloat("softmax", x);
        int d = Shapes.wrapDim("softmax", dim, x.dim());
        Tensor fused = d == x.dim() - 1 ? fusedSoftmax(x, false) : null;
        return fused != null ? fused : softmaxComposite(x, d);
    }

    /** softmax from primitives: the reference for the fused kernel, and the path for other dims. */
    static Tensor softmaxComposite(Tensor x, int d) {
        if (x.dim() == 0) {
            return x.sub(x).exp();
        }
        int[] dims = {d};
        Tensor e = x.sub(shift(x, dims)).exp();
        return e.div(e.sum(dims, true));
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        requireFloat("logSoftmax", x);
        int d = Shapes.wrapDim("logSoftmax", dim, x.dim());
        Tensor fused = d == x.dim() - 1 ? fusedSoftmax(x, true) : null;
        return fused != null ? fused : logSoftmaxComposite(x, d);
    }

    static Tensor logSoftmaxComposite(Tensor x, int d) {
        if (x.dim() == 0) {
            return x.sub(x);
        }
        return x.sub(x.logsumexp(d, true));
    }

    /**
     * softmax / logSoftmax along the last dim of x (at least 1-D) with the backend's fused kernel, one graph node
     * whose backward is the fused gradient kernel (or its formula in tensor ops); null without the kernel.
     */
    private static Tensor fusedSoftmax(Tensor x, boolean log) {
        if (x.dim() == 0) {
            return null;
        }
        int c = x.shape[x.dim() - 1];
        Tensor src = Fused.contiguous(x);
        Tensor out = Creation.output(x.dtype(), x.shape.clone(), x);
        if (!out.backend().softmax(Fused.rows(src, c), Fused.rows(out, c), log)) {
            return null;
        }
        return Graph.record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, x, new Tensor[] {out}, g -> {
            Tensor gc = Fused.contiguous(g);
            Tensor gi = Creation.output(out.dtype(), out.shape.clone(), out);
            if (out.backend().softmaxBackward(Fused.rows(out, c), Fused.rows(gc, c), Fused.rows(gi, c), log)) {
                return new Tensor[] {gi};
            }
            Tensor r = log ? g.sub(out.exp().mul(g.sum(-1, true))) : out.mul(g.sub(g.mul(out).sum(-1, true)));
            return new Tensor[] {r};
        });
    }

    static Tensor sumToSize(Tensor g, int[] size) {
        if (java.util.Arrays.equals(g.shape, size)) {
            return g;
        }
        Shapes.broadcast("sumToSize", size, g.shape); // validates compatibility
        int lead = g.dim() - size.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumToSize: size " + Shapes.str(size) + " has more dims than the tensor's "
                    + Shapes.str(g.shape));
        }
        int[] dims = new int[g.dim()];
        int n = 0;
        for (int d = 0; d < g.dim(); d++) {
            if (d < lead || (size[d - lead] == 1 && g.shape[d] != 1)) {
                dims[n++] = d;
            }
        }
        Tensor r = n == 0 ? g : g.sum(java.util.Arrays.copyOf(dims, n), true);
        return r.reshape(Shapes.toLongs(size));
    }

    private static void requireFloat(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + "(): could not infer output dtype. Input dtype must be a floating "
                    + "point dtype, got " + x.dtype().torchName() + " (shape " + Shapes.str(x.shape) + ")");
        }
    }
}
