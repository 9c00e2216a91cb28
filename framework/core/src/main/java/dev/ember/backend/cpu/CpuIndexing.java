package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/** indexSelect, gather and scatterAdd. Index values are checked here, where they are read. */
final class CpuIndexing {
    private CpuIndexing() {
    }

    static void indexSelect(CpuBackend backend, Strided in, int dim, Strided index, Strided out) {
        CpuStorage idx = (CpuStorage) index.storage();
        int size = in.shape()[dim];
        int count = index.shape().length == 0 ? 1 : index.shape()[0];
        int istep = index.shape().length == 0 ? 0 : index.strides()[0];
        if (dim == 0 && in.isContiguous() && out.isContiguous() && in.dtype() == out.dtype()) {
            // rows of a contiguous table (an embedding lookup): one array copy per row
            int row = count == 0 ? 0 : out.numel() / count;
            Object src = ((CpuStorage) in.storage()).array();
            Object dst = ((CpuStorage) out.storage()).array();
            for (int i = 0; i < count; i++) {
                int r = checkIndex("indexSelect", idx.l[index.offset() + i * istep], dim, size);
                System.arraycopy(src, in.offset() + r * row, dst, out.offset() + i * row, row);
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            long v = idx.l[index.offset() + i * istep];
            int row = checkIndex("indexSelect", v, dim, size);
            backend.copy(select(in, dim, row), select(out, dim, i));
        }
    }

    static void gather(Strided in, int dim, Strided index, Strided out) {
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage idx = (CpuStorage) index.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int size = in.shape()[dim];
        int step = in.strides()[dim];
        int[] inNoDim = in.strides().clone();
        inNoDim[dim] = 0;
        boolean floating = y.dtype().isFloatingPoint();
        StridedLoop.forEachRow(index.shape(), new int[][] {index.strides(), inNoDim, out.strides()},
                new int[] {index.offset(), in.offset(), out.offset()}, (o, st, n) -> {
                    int q = o[0];
                    int i = o[1];
                    int j = o[2];
                    for (int k = 0; k < n; k++, q += st[0], i += st[1], j += st[2]) {
                        int src = i + checkIndex("gather", idx.l[q], dim, size) * step;
                        if (floating) {
                            y.setDouble(j, x.getDouble(src));
                        } else {
                            y.setLong(j, x.getLong(src));
                        }
                    }
                });
    }

    static void scatterAdd(Strided out, int dim, Strided index, Strided src) {
        CpuStorage y = (CpuStorage) out.storage();
        CpuStorage idx = (CpuStorage) index.storage();
        CpuStorage s = (CpuStorage) src.storage();
        int size = out.shape()[dim];
        int step = out.strides()[dim];
        int[] outNoDim = out.strides().clone();
        outNoDim[dim] = 0;
        boolean floating = y.dtype().isFloatingPoint();
        StridedLoop.forEachRow(index.shape(), new int[][] {index.strides(), src.strides(), outNoDim},
                new int[] {index.offset(), src.offset(), out.offset()}, (o, st, n) -> {
                    int q = o[0];
                    int i = o[1];
                    int j = o[2];
                    for (int k = 0; k < n; k++, q += st[0], i += st[1], j += st[2]) {
                        int dst = j + checkIndex("scatterAdd", idx.l[q], dim, size) * step;
                        if (floating) {
                            y.setDouble(dst, y.getDouble(dst) + s.getDouble(i));
                        } else {
                            y.setLong(dst, y.getLong(dst) + s.getLong(i));
                        }
                    }
                });
    }

    /**
     * {@code out.select(dim, index[i]) += src.select(dim, i)}: one vectorised row add per index for rows of
     * contiguous float tensors along dim 0 (an embedding's gradient), else the element-wise add kernel per slice.
     */
    static boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        CpuStorage idx = (CpuStorage) index.storage();
        CpuStorage y = (CpuStorage) out.storage();
        CpuStorage s = (CpuStorage) src.storage();
        int size = out.shape()[dim];
        int count = index.shape().length == 0 ? 1 : index.shape()[0];
        int istep = index.shape().length == 0 ? 0 : index.strides()[0];
        boolean rows = dim == 0 && out.isContiguous() && src.isContiguous() && y.dtype() == s.dtype()
                && (y.f != null || y.d != null);
        int row = count == 0 ? 0 : src.numel() / count;
        for (int i = 0; i < count; i++) {
            int r = checkIndex("indexAdd", idx.l[index.offset() + i * istep], dim, size);
            if (rows && y.f != null) {
                // a plain loop (C2 vectorises it) rather than FloatRows: rows are short here (an embedding's
                // width), and the row kernel's set-up, three memory segments a call, cost more than the adds
                float[] yf = y.f;
                float[] sf = s.f;
                for (int j = 0, yo = out.offset() + r * row, so = src.offset() + i * row; j < row; j++) {
                    yf[yo + j] += sf[so + j];
                }
            } else if (rows) {
                double[] yd = y.d;
                double[] sd = s.d;
                for (int j = 0, yo = out.offset() + r * row, so = src.offset() + i * row; j < row; j++) {
                    yd[yo + j] += sd[so + j];
                }
            } else {
                Strided o = select(out, dim, r);
                CpuElementwise.binary(dev.ember.backend.BinaryOp.ADD, o, select(src, dim, i), o);
            }
        }
        return true;
    }

    private static int checkIndex(String op, long v, int dim, int size) {
        // negative indices are errors here, as in PyTorch's gather/scatter/index_select
        if (v < 0 || v >= size) {
            throw new IllegalArgumentException(op + ": index " + v + " is out of bounds for dimension " + dim
                    + " with size " + size);
        }
        return (int) v;
    }

    private static Strided select(Strided t, int dim, int i) {
        int nd = t.shape().length;
        int[] shape = new int[nd - 1];
        int[] strides = new int[nd - 1];
        for (int d = 0, e = 0; d < nd; d++) {
            if (d != dim) {
                shape[e] = t.shape()[d];
                strides[e++] = t.strides()[d];
            }
        }
        return new Strided(t.storage(), shape, strides, t.offset() + i * t.strides()[dim]);
    }
}
