package dev.ember.tensor;

/** indexSelect, gather and scatterAdd; each one's backward is another of them. */
final class Indexing {
    private Indexing() {
    }

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected index to be an int64 tensor, got "
                    + index.dtype().torchName());
        }
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        requireIndex("indexSelect", index);
        if (index.dim() > 1) {
            throw new IllegalArgumentException("indexSelect: index should have 1 dimension or be a scalar, got shape "
                    + Shapes.str(index.shape));
        }
        Elementwise.sameDevice("indexSelect", x, index);
        Tensor src = x.dim() == 0 ? x.reshape(1) : x;
        int d = Shapes.wrapDim("indexSelect", dim, src.dim());
        int[] shape = src.shape.clone();
        shape[d] = (int) index.numel();
        Tensor out = Creation.output(x.dtype(), shape, x);
        out.backend().indexSelect(src.strided(), d, index.strided(), out.strided());
        if (x.dim() == 0) {
            out = out.reshape();
        }
        long[] inShape = x.shape();
        // a new buffer (zeros with the rows added in): an embedding table keeps it as its gradient without a copy
        return Graph.recordFresh("IndexSelectBackward0", out, new Tensor[] {x}, new Tensor[] {index}, g -> {
            Tensor gs = g.dim() == 0 ? g.reshape(1) : g;
            Tensor acc = g.newZeros(inShape.length == 0 ? new long[] {1} : inShape);
            if (acc.backend().indexAdd(acc.strided(), d, index.strided(), gs.strided())) {
                return new Tensor[] {acc.reshape(inShape)};
            }
            // index_add as a scatterAdd whose index is broadcast along every other dim
            long[] view = new long[gs.dim()];
            java.util.Arrays.fill(view, 1);
            view[d] = index.numel();
            Tensor idx = index.reshape(view).expand(gs.shape());
            Tensor r = g.newZeros(inShape.length == 0 ? new long[] {1} : inShape).scatterAdd(d, idx, gs);
            return new Tensor[] {r.reshape(inShape)};
        });
    }

    private static void checkGatherShapes(String op, Tensor x, int d, Tensor index, Tensor src) {
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException(op + ": index tensor must have the same number of dimensions as the input "
                    + "tensor (index " + Shapes.str(index.shape) + ", input " + Shapes.str(x.shape) + ")");
        }
        for (int k = 0; k < x.dim(); k++) {
            if ((k != d && index.shape[k] > x.shape[k]) || (src != null && index.shape[k] > src.shape[k])) {
                throw new IllegalArgumentException(op + ": size of index " + Shapes.str(index.shape) + " must not exceed "
                        + (src != null ? "src " + Shapes.str(src.shape) + " or " : "") + "input " + Shapes.str(x.shape)
                        + " (apart from dimension " + d + " of the input)");
            }
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        requireIndex("gather", index);
        Elementwise.sameDevice("gather", x, index);
        int d = Shapes.wrapDim("gather", dim, x.dim());
        checkGatherShapes("gather", x, d, index, null);
        Tensor out = Creation.output(x.dtype(), index.shape.clone(), x);
        if (out.numel() > 0) {
            out.backend().gather(x.strided(), d, index.strided(), out.strided());
        }
        long[] inShape = x.shape();
        return Graph.record("GatherBackward0", out, x, new Tensor[] {index},
                g -> new Tensor[] {g.newZeros(inShape).scatterAdd(d, index, g)});
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        requireIndex("scatterAdd", index);
        Elementwise.sameDevice("scatterAdd", x, index);
        Elementwise.sameDevice("scatterAdd", x, src);
        if (src.dtype() != x.dtype()) {
            throw new IllegalArgumentException("scatterAdd: expected self and src to have the same dtype, got "
                    + x.dtype().torchName() + " and " + src.dtype().torchName());
        }
        int d = Shapes.wrapDim("scatterAdd", dim, x.dim());
        if (src.dim() != x.dim()) {
            throw new IllegalArgumentException("scatterAdd: src " + Shapes.str(src.shape) + " must have as many dims as "
                    + "the input " + Shapes.str(x.shape));
        }
        checkGatherShapes("scatterAdd", x, d, index, src);
        Tensor out = Views.copyOf(x, x.dtype());
        if (index.numel() > 0) {
            out.backend().scatterAdd(out.strided(), d, index.strided(), src.strided());
        }
        long[] srcShape = src.shape();
        long[] idxShape = index.shape();
        return Graph.record("ScatterAddBackward0", out, new Tensor[] {x, src}, new Tensor[] {index}, g -> {
            // src only reaches the output where index covers it; elsewhere its gradient is zero
            Tensor gs = g.gather(d, index);
            if (!java.util.Arrays.equals(srcShape, idxShape)) {
                gs = Views.embed(gs, srcShape, t -> narrowTo(t, idxShape));
            }
            return new Tensor[] {g, gs};
        });
    }

    private static Tensor narrowTo(Tensor t, long[] shape) {
        Tensor r = t;
        for (int k = 0; k < shape.length; k++) {
            r = r.narrow(k, 0, shape[k]);
        }
        return r;
    }
}
