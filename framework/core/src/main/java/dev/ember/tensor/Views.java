package dev.ember.tensor;

import java.util.Arrays;

/**
 * Views share storage and only change shape, strides and offset; copies (reshape of a non-viewable layout,
 * contiguous, clone) go through the backend's strided copy. Backward of a view maps the gradient back to the
 * input's layout: reshape back, transpose back, or scatter into zeros for slices.
 */
final class Views {
    private Views() {
    }

    static Tensor make(Tensor x, int[] shape, int[] strides, int offset) {
        return new Tensor(x.storage, shape, strides, offset, x.base == null ? x : x.base);
    }

    /** A contiguous copy in {@code dtype}, outside the graph. */
    static Tensor copyOf(Tensor x, DType dtype) {
        Tensor out = Creation.output(dtype, x.shape.clone(), x);
        out.backend().copy(x.strided(), out.strided());
        return out;
    }

    static Tensor cloneOp(Tensor x) {
        return Graph.record("CloneBackward0", copyOf(x, x.dtype()), x, Graph.NONE, g -> new Tensor[] {g});
    }

    /** Resolves one -1 in a requested shape and checks the element count. */
    static int[] inferShape(String op, Tensor x, long[] requested) {
        int numel = Shapes.numel(x.shape);
        int infer = -1;
        long known = 1;
        int[] r = new int[requested.length];
        for (int i = 0; i < requested.length; i++) {
            if (requested[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be inferred (-1) in shape "
                            + Arrays.toString(requested));
                }
                infer = i;
            } else if (requested[i] < 0 || requested[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": invalid shape dimension " + requested[i] + " in "
                        + Arrays.toString(requested));
            } else {
                known *= requested[i];
                r[i] = (int) requested[i];
            }
        }
        if (infer >= 0 && known != 0 && numel % known == 0) {
            r[infer] = (int) (numel / known);
            known *= r[infer];
        }
        if (known != numel || (infer >= 0 && known == 0)) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested)
                    + " is invalid for input of size " + numel + " (input shape " + Shapes.str(x.shape) + ")");
        }
        return r;
    }

    /** Strides for viewing x as {@code shape} without a copy, or null if impossible (PyTorch's computeStride). */
    static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] shape) {
        if (Shapes.numel(oldShape) == 0 || oldShape.length == 0) {
            return Shapes.contiguousStrides(shape);
        }
        int[] st = new int[shape.length];
        int viewD = shape.length - 1;
        int chunkBase = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] == 1)) {
                    st[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= shape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? st : null;
    }

    static Tensor view(Tensor x, long[] requested) {
        int[] shape = inferShape("view", x, requested);
        int[] st = viewStrides(x.shape, x.strides, shape);
        if (st == null) {
            throw new IllegalArgumentException("view: size " + Arrays.toString(requested) + " is not compatible with "
                    + "the input's size " + Shapes.str(x.shape) + " and stride " + Shapes.str(x.strides)
                    + " (at least one dimension spans across two contiguous subspaces); use reshape instead");
        }
        return viewAs(x, shape, st, "ViewBackward0");
    }

    static Tensor reshape(Tensor x, long[] requested) {
        int[] shape = inferShape("reshape", x, requested);
        int[] st = viewStrides(x.shape, x.strides, shape);
        if (st != null) {
            return viewAs(x, shape, st, "ViewBackward0");
        }
        Tensor c = cloneOp(x);
        return viewAs(c, shape, Shapes.contiguousStrides(shape), "UnsafeViewBackward0");
    }

    private static Tensor viewAs(Tensor x, int[] shape, int[] st, String name) {
        Tensor out = make(x, shape, st, x.offset);
        long[] inShape = x.shape();
        return Graph.record(name, out, x, Graph.NONE, g -> new Tensor[] {g.reshape(inShape)});
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int a = Shapes.wrapDim("transpose", dim0, x.dim());
        int b = Shapes.wrapDim("transpose", dim1, x.dim());
        if (x.dim() == 0) {
            return Graph.record("TransposeBackward0", make(x, x.shape, x.strides, x.offset), x, Graph.NONE,
                    g -> new Tensor[] {g});
        }
        int[] perm = new int[x.dim()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    static Tensor t(Tensor x) {
        if (x.dim() > 2) {
            throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, but got " + x.dim()
                    + " (shape " + Shapes.str(x.shape) + "); use transpose(dim0, dim1)");
        }
        return x.dim() < 2 ? transpose(x, 0, 0) : transpose(x, 0, 1);
    }

    static Tensor permute(Tensor x, int[] dims) {
        int n = x.dim();
        if (dims.length != n) {
            throw new IllegalArgumentException("permute: number of dims don't match: the tensor has " + n
                    + " dims (shape " + Shapes.str(x.shape) + ") but " + dims.length + " were given: "
                    + Arrays.toString(dims));
        }
        int[] p = new int[n];
        int[] inverse = new int[n];
        boolean[] seen = new boolean[n];
        int[] shape = new int[n];
        int[] st = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = Shapes.wrapDim("permute", dims[i], n);
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: dim " + p[i] + " repeats in " + Arrays.toString(dims));
            }
            seen[p[i]] = true;
            inverse[p[i]] = i;
            shape[i] = x.shape[p[i]];
            st[i] = x.strides[p[i]];
        }
        return Graph.record("PermuteBackward0", make(x, shape, st, x.offset), x, Graph.NONE,
                g -> new Tensor[] {g.permute(inverse)});
    }

    static Tensor expand(Tensor x, long[] sizes) {
        int n = sizes.length;
        if (n < x.dim()) {
            throw new IllegalArgumentException("expand: the number of sizes provided (" + n + ") must be greater or "
                    + "equal to the number of dimensions in the tensor (" + x.dim() + ")");
        }
        int[] shape = new int[n];
        int[] st = new int[n];
        int lead = n - x.dim();
        for (int i = 0; i < n; i++) {
            int existing = i >= lead ? x.shape[i - lead] : 1;
            long want = sizes[i];
            if (want == -1) {
                if (i < lead) {
                    throw new IllegalArgumentException("expand: -1 is not allowed in a leading, non-existing dimension "
                            + "(sizes " + Arrays.toString(sizes) + ")");
                }
                want = existing;
            }
            if (want < 0 || want > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expand: invalid size " + want + " in " + Arrays.toString(sizes));
            }
            if (existing != want && existing != 1) {
                throw new IllegalArgumentException("expand: the expanded size of the tensor (" + want + ") must match "
                        + "the existing size (" + existing + ") at non-singleton dimension " + i + ". Target sizes: "
                        + Arrays.toString(sizes) + ". Tensor sizes: " + Shapes.str(x.shape));
            }
            shape[i] = (int) want;
            st[i] = i < lead || (existing == 1 && want != 1) ? 0 : x.strides[i - lead];
        }
        Shapes.numel(shape);
        // the engine sums the gradient back to the input's shape, so backward passes it through
        return Graph.record("ExpandBackward0", make(x, shape, st, x.offset), x, Graph.NONE, g -> new Tensor[] {g});
    }

    static Tensor squeeze(Tensor x, Integer dim) {
        int[] keep = new int[x.dim()];
        int n = 0;
        int only = dim == null ? -1 : Shapes.wrapDim("squeeze", dim, x.dim());
        for (int d = 0; d < x.dim(); d++) {
            boolean drop = x.shape[d] == 1 && (dim == null || d == only);
            if (!drop) {
                keep[n++] = d;
            }
        }
        int[] shape = new int[n];
        int[] st = new int[n];
        for (int i = 0; i < n; i++) {
            shape[i] = x.shape[keep[i]];
            st[i] = x.strides[keep[i]];
        }
        long[] inShape = x.shape();
        return Graph.record("SqueezeBackward0", make(x, shape, st, x.offset), x, Graph.NONE,
                g -> new Tensor[] {g.reshape(inShape)});
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shapes.wrapDim("unsqueeze", dim, x.dim() + 1);
        int[] shape = new int[x.dim() + 1];
        int[] st = new int[x.dim() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                shape[i] = 1;
                st[i] = j < x.dim() ? x.strides[j] * x.shape[j] : 1;
            } else {
                shape[i] = x.shape[j];
                st[i] = x.strides[j++];
            }
        }
        long[] inShape = x.shape();
        return Graph.record("UnsqueezeBackward0", make(x, shape, st, x.offset), x, Graph.NONE,
                g -> new Tensor[] {g.reshape(inShape)});
    }

    /** x[..., start:end:step, ...] along dim, with Python's clamping of start and end. */
    static Tensor slice(Tensor x, int dim, long start, long end, long step, String op) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException(op + ": cannot be applied to a 0-dim tensor");
        }
        int d = Shapes.wrapDim(op, dim, x.dim());
        int size = x.shape[d];
        if (step <= 0) {
            throw new IllegalArgumentException(op + ": step must be positive, got " + step);
        }
        if (op.equals("narrow")) {
            long length = end - start;
            long s = start < 0 ? start + size : start;
            if (s < 0 || s > size || length < 0 || s + length > size) {
                throw new IllegalArgumentException("narrow: start (" + start + ") + length (" + length
                        + ") exceeds dimension size (" + size + ") of dim " + d + " (shape " + Shapes.str(x.shape) + ")");
            }
            start = s;
            end = s + length;
        } else {
            start = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
            end = Math.min(Math.max(end < 0 ? end + size : end, 0), size);
            end = Math.max(end, start);
        }
        int len = (int) ((end - start + step - 1) / step);
        int[] shape = x.shape.clone();
        int[] st = x.strides.clone();
        shape[d] = len;
        st[d] = (int) (x.strides[d] * step);
        Tensor out = make(x, shape, st, (int) (x.offset + start * x.strides[d]));
        long[] inShape = x.shape();
        long s0 = start;
        long e0 = end;
        return Graph.recordView("SliceBackward0", out, x,
                g -> new Tensor[] {embed(g, inShape, t -> t.slice(d, s0, e0, step))},
                (acc, g) -> addInto(acc.slice(d, s0, e0, step), g));
    }

    static Tensor select(Tensor x, int dim, long index) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("select: cannot be applied to a 0-dim tensor");
        }
        int d = Shapes.wrapDim("select", dim, x.dim());
        int size = x.shape[d];
        if (index < -size || index >= size) {
            throw new IllegalArgumentException("select: index " + index + " out of range for tensor of size "
                    + Shapes.str(x.shape) + " at dimension " + d);
        }
        long i = index < 0 ? index + size : index;
        int[] shape = new int[x.dim() - 1];
        int[] st = new int[x.dim() - 1];
        for (int a = 0, b = 0; a < x.dim(); a++) {
            if (a != d) {
                shape[b] = x.shape[a];
                st[b++] = x.strides[a];
            }
        }
        Tensor out = make(x, shape, st, (int) (x.offset + i * x.strides[d]));
        long[] inShape = x.shape();
        return Graph.recordView("SelectBackward0", out, x,
                g -> new Tensor[] {embed(g, inShape, t -> t.select(d, i))},
                (acc, g) -> addInto(acc.select(d, i), g));
    }

    /** Zeros of {@code shape} with {@code g} written into the region {@code region} picks out. */
    static Tensor embed(Tensor g, long[] shape, java.util.function.UnaryOperator<Tensor> region) {
        Tensor z = g.newZeros(shape);
        Tensor target = region.apply(z);
        z.backend().copy(g.strided(), target.strided());
        return z;
    }

    /** region += g in place (region is a view of an engine-owned gradient buffer; same shape and dtype as g). */
    private static void addInto(Tensor region, Tensor g) {
        region.backend().binary(dev.ember.backend.BinaryOp.ADD, region.strided(), g.strided(), region.strided());
        region.storage.bumpVersion();
    }

    static Tensor flatten(Tensor x, int startDim, int endDim) {
        if (x.dim() == 0) {
            return x.reshape(1);
        }
        int s = Shapes.wrapDim("flatten", startDim, x.dim());
        int e = Shapes.wrapDim("flatten", endDim, x.dim());
        if (s > e) {
            throw new IllegalArgumentException("flatten: start_dim (" + startDim + ") cannot come after end_dim ("
                    + endDim + ")");
        }
        long[] shape = new long[x.dim() - (e - s)];
        long merged = 1;
        for (int d = s; d <= e; d++) {
            merged *= x.shape[d];
        }
        for (int d = 0, j = 0; d < x.dim(); d++) {
            if (d < s || d > e) {
                shape[j++] = x.shape[d];
            } else if (d == s) {
                shape[j++] = merged;
            }
        }
        return x.reshape(shape);
    }
}
