package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.tensor.DType;

/**
 * Element-wise kernels. The tensor layer converts inputs to the computation dtype beforehand, so each
 * kernel sees inputs of one dtype; the switch on that dtype happens once per row, the inner loop is plain.
 * Float32 results are computed in double and rounded once, which for + - * / and sqrt equals float32
 * arithmetic exactly.
 */
final class CpuElementwise {
    private CpuElementwise() {
    }

    static void unary(UnaryOp op, Strided in, Strided out) {
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage y = (CpuStorage) out.storage();
        StridedLoop.forEachRow(in.shape(), new int[][] {in.strides(), out.strides()},
                new int[] {in.offset(), out.offset()}, (o, st, n) -> {
                    int i = o[0];
                    int j = o[1];
                    int si = st[0];
                    int sj = st[1];
                    if (x.f != null && y.f != null) {
                        for (int k = 0; k < n; k++, i += si, j += sj) {
                            y.f[j] = (float) op.apply(x.f[i]);
                        }
                    } else if (x.d != null && y.d != null) {
                        for (int k = 0; k < n; k++, i += si, j += sj) {
                            y.d[j] = op.apply(x.d[i]);
                        }
                    } else if (y.dtype().isFloatingPoint()) {
                        // integer input to a floating op: convert to the output dtype first, as PyTorch does
                        boolean single = y.dtype() == DType.FLOAT32;
                        for (int k = 0; k < n; k++, i += si, j += sj) {
                            double v = x.getDouble(i);
                            y.setDouble(j, op.apply(single ? (float) v : v));
                        }
                    } else {
                        for (int k = 0; k < n; k++, i += si, j += sj) {
                            y.setLong(j, op.applyLong(x.getLong(i)));
                        }
                    }
                });
    }

    static void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        StridedLoop.forEachRow(out.shape(), new int[][] {a.strides(), b.strides(), out.strides()},
                new int[] {a.offset(), b.offset(), out.offset()}, (o, st, n) -> {
                    int i = o[0];
                    int p = o[1];
                    int j = o[2];
                    switch (y.dtype()) {
                        case FLOAT32 -> {
                            for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                                y.f[j] = (float) op.apply(x.f[i], z.f[p]);
                            }
                        }
                        case FLOAT64 -> {
                            for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                                y.d[j] = op.apply(x.d[i], z.d[p]);
                            }
                        }
                        case INT64 -> {
                            for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                                y.l[j] = op.applyLong(x.l[i], z.l[p]);
                            }
                        }
                        case BOOL -> {
                            for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                                y.b[j] = op.applyLong(x.b[i] ? 1 : 0, z.b[p] ? 1 : 0) != 0;
                            }
                        }
                    }
                });
    }

    static void compare(CompareOp op, Strided a, Strided b, Strided out) {
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        boolean floating = x.dtype().isFloatingPoint();
        StridedLoop.forEachRow(out.shape(), new int[][] {a.strides(), b.strides(), out.strides()},
                new int[] {a.offset(), b.offset(), out.offset()}, (o, st, n) -> {
                    int i = o[0];
                    int p = o[1];
                    int j = o[2];
                    for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                        y.b[j] = floating ? op.test(x.getDouble(i), z.getDouble(p))
                                : op.testLong(x.getLong(i), z.getLong(p));
                    }
                });
    }

    static void where(Strided cond, Strided a, Strided b, Strided out) {
        CpuStorage c = (CpuStorage) cond.storage();
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        boolean floating = y.dtype().isFloatingPoint();
        StridedLoop.forEachRow(out.shape(), new int[][] {cond.strides(), a.strides(), b.strides(), out.strides()},
                new int[] {cond.offset(), a.offset(), b.offset(), out.offset()}, (o, st, n) -> {
                    int q = o[0];
                    int i = o[1];
                    int p = o[2];
                    int j = o[3];
                    for (int k = 0; k < n; k++, q += st[0], i += st[1], p += st[2], j += st[3]) {
                        if (floating) {
                            y.setDouble(j, c.b[q] ? x.getDouble(i) : z.getDouble(p));
                        } else {
                            y.setLong(j, c.b[q] ? x.getLong(i) : z.getLong(p));
                        }
                    }
                });
    }
}
