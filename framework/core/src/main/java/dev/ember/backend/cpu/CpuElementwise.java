package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.tensor.DType;

/**
 * Element-wise kernels. The tensor layer converts inputs to the computation dtype beforehand, so each
 * kernel sees inputs of one dtype. {@link StridedLoop} merges the dims that are contiguous together, so the
 * operands are walked as rows; a float32 or float64 row whose operands have step 1 (or step 0: a scalar or a
 * broadcast bias element) runs the Vector API kernels of {@link FloatRows} / {@link DoubleRows}, any other
 * row the plain strided loop, which is the reference those kernels are tested against. Large tensors are
 * split along their outermost dim over {@link Parallel}'s threads.
 *
 * <p>Float32 results of the plain loops are computed in double and rounded once, which for + - * / and sqrt
 * equals float32 arithmetic exactly.
 */
final class CpuElementwise {
    /** Elements per chunk of parallel work: cheap arithmetic, and transcendental functions (about 8x dearer). */
    private static final int GRAIN = 32768;
    private static final int GRAIN_TRANSCENDENTAL = 4096;

    private CpuElementwise() {
    }

    static void unary(UnaryOp op, Strided in, Strided out) {
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int grain = switch (op) {
            case NEG, ABS, RELU, SIGN, SQRT -> GRAIN;
            default -> GRAIN_TRANSCENDENTAL;
        };
        if (((x.f != null && y.f != null) || (x.d != null && y.d != null)) && in.isContiguous() && out.isContiguous()) {
            // one row: no dims to walk
            int xo = in.offset();
            int yo = out.offset();
            Parallel.parallelFor(0, out.numel(), grain, (from, to) -> {
                if (x.f != null) {
                    FloatRows.unary(op, x.f, xo + from, y.f, yo + from, to - from);
                } else {
                    DoubleRows.unary(op, x.d, xo + from, y.d, yo + from, to - from);
                }
            });
            return;
        }
        forEachRow(in.shape(), new int[][] {in.strides(), out.strides()}, new int[] {in.offset(), out.offset()}, grain,
                (o, st, n) -> {
                    int i = o[0];
                    int j = o[1];
                    int si = st[0];
                    int sj = st[1];
                    if (x.f != null && y.f != null) {
                        if (si == 1 && sj == 1) {
                            FloatRows.unary(op, x.f, i, y.f, j, n);
                            return;
                        }
                        for (int k = 0; k < n; k++, i += si, j += sj) {
                            y.f[j] = (float) op.apply(x.f[i]);
                        }
                    } else if (x.d != null && y.d != null) {
                        if (si == 1 && sj == 1) {
                            DoubleRows.unary(op, x.d, i, y.d, j, n);
                            return;
                        }
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

    /** True for steps a vector row kernel takes: the output unit-stride, each input unit-stride or broadcast. */
    private static boolean vectorSteps(int[] st) {
        if (st[st.length - 1] != 1) {
            return false;
        }
        for (int k = 0; k < st.length - 1; k++) {
            if (st[k] != 0 && st[k] != 1) {
                return false;
            }
        }
        return true;
    }

    /** Step 1 for a contiguous operand, 0 for one value broadcast everywhere, -1 otherwise. */
    static int flatStep(Strided t) {
        if (t.isContiguous()) {
            return 1;
        }
        for (int s : t.strides()) {
            if (s != 0) {
                return -1;
            }
        }
        return 0;
    }

    static void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        if (op != BinaryOp.POW && (y.f != null || y.d != null) && out.isContiguous()) {
            int sa = flatStep(a);
            int sb = flatStep(b);
            if (sa >= 0 && sb >= 0 && (sa | sb) != 0) {
                // one row (a scalar operand broadcast along it): no dims to walk
                int ao = a.offset();
                int bo = b.offset();
                int yo = out.offset();
                Parallel.parallelFor(0, out.numel(), GRAIN, (from, to) -> {
                    if (y.f != null) {
                        FloatRows.binary(op, x.f, ao + from * sa, sa, z.f, bo + from * sb, sb, y.f, yo + from,
                                to - from);
                    } else {
                        DoubleRows.binary(op, x.d, ao + from * sa, sa, z.d, bo + from * sb, sb, y.d, yo + from,
                                to - from);
                    }
                });
                return;
            }
        }
        forEachPlane(out.shape(), new int[][] {a.strides(), b.strides(), out.strides()},
                new int[] {a.offset(), b.offset(), out.offset()}, op == BinaryOp.POW ? GRAIN_TRANSCENDENTAL : GRAIN,
                (o, rs, rows, st, n) -> {
                    for (int r = 0; r < rows; r++) {
                        binaryRow(op, x, z, y, o[0] + r * rs[0], o[1] + r * rs[1], o[2] + r * rs[2], st, n);
                    }
                });
    }

    /** One row of a binary op: operand offsets i, p, j and steps st. */
    private static void binaryRow(BinaryOp op, CpuStorage x, CpuStorage z, CpuStorage y, int i, int p, int j,
                                  int[] st, int n) {
        switch (y.dtype()) {
            case FLOAT32 -> {
                if (vectorSteps(st) && FloatRows.binary(op, x.f, i, st[0], z.f, p, st[1], y.f, j, n)) {
                    return;
                }
                if (op == BinaryOp.POW && st[1] == 0 && z.f[p] == 2) {
                    // pow(x, 2) is x * x exactly; the common square goes without Math.pow
                    for (int k = 0; k < n; k++, i += st[0], j += st[2]) {
                        y.f[j] = x.f[i] * x.f[i];
                    }
                    return;
                }
                stridedF(op, x.f, i, st[0], z.f, p, st[1], y.f, j, st[2], n);
            }
            case FLOAT64 -> {
                if (vectorSteps(st) && DoubleRows.binary(op, x.d, i, st[0], z.d, p, st[1], y.d, j, n)) {
                    return;
                }
                if (op == BinaryOp.POW && st[1] == 0 && z.d[p] == 2) {
                    for (int k = 0; k < n; k++, i += st[0], j += st[2]) {
                        y.d[j] = x.d[i] * x.d[i];
                    }
                    return;
                }
                stridedD(op, x.d, i, st[0], z.d, p, st[1], y.d, j, st[2], n);
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
    }

    /**
     * The plain strided float32 loop. The common ops get their own loops: {@code op.apply} is a call that the JIT
     * cannot inline once it has seen several ops; float arithmetic gives exactly the reference's double-then-round.
     */
    private static void stridedF(BinaryOp op, float[] a, int i, int sa, float[] b, int p, int sb, float[] y, int j,
                                 int sy, int n) {
        switch (op) {
            case ADD -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] + b[p];
                }
            }
            case SUB -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] - b[p];
                }
            }
            case MUL -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] * b[p];
                }
            }
            case DIV -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] / b[p];
                }
            }
            default -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = (float) op.apply(a[i], b[p]);
                }
            }
        }
    }

    private static void stridedD(BinaryOp op, double[] a, int i, int sa, double[] b, int p, int sb, double[] y,
                                 int j, int sy, int n) {
        switch (op) {
            case ADD -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] + b[p];
                }
            }
            case SUB -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] - b[p];
                }
            }
            case MUL -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] * b[p];
                }
            }
            case DIV -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = a[i] / b[p];
                }
            }
            default -> {
                for (int k = 0; k < n; k++, i += sa, p += sb, j += sy) {
                    y[j] = op.apply(a[i], b[p]);
                }
            }
        }
    }

    static void compare(CompareOp op, Strided a, Strided b, Strided out) {
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        boolean floating = x.dtype().isFloatingPoint();
        forEachRow(out.shape(), new int[][] {a.strides(), b.strides(), out.strides()},
                new int[] {a.offset(), b.offset(), out.offset()}, GRAIN, (o, st, n) -> {
                    int i = o[0];
                    int p = o[1];
                    int j = o[2];
                    boolean vector = vectorSteps(st) && (st[0] | st[1]) != 0;
                    if (x.f != null) {
                        if (vector) {
                            FloatRows.compare(op, x.f, i, st[0], z.f, p, st[1], y.b, j, n);
                            return;
                        }
                        for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                            y.b[j] = op.test(x.f[i], z.f[p]);
                        }
                    } else if (x.d != null) {
                        if (vector) {
                            DoubleRows.compare(op, x.d, i, st[0], z.d, p, st[1], y.b, j, n);
                            return;
                        }
                        for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                            y.b[j] = op.test(x.d[i], z.d[p]);
                        }
                    } else {
                        for (int k = 0; k < n; k++, i += st[0], p += st[1], j += st[2]) {
                            y.b[j] = floating ? op.test(x.getDouble(i), z.getDouble(p))
                                    : op.testLong(x.getLong(i), z.getLong(p));
                        }
                    }
                });
    }

    static void where(Strided cond, Strided a, Strided b, Strided out) {
        CpuStorage c = (CpuStorage) cond.storage();
        CpuStorage x = (CpuStorage) a.storage();
        CpuStorage z = (CpuStorage) b.storage();
        CpuStorage y = (CpuStorage) out.storage();
        boolean floating = y.dtype().isFloatingPoint();
        forEachRow(out.shape(), new int[][] {cond.strides(), a.strides(), b.strides(), out.strides()},
                new int[] {cond.offset(), a.offset(), b.offset(), out.offset()}, GRAIN, (o, st, n) -> {
                    int q = o[0];
                    int i = o[1];
                    int p = o[2];
                    int j = o[3];
                    boolean vector = st[0] == 1 && vectorSteps(st);
                    if (vector && y.f != null) {
                        FloatRows.where(c.b, q, x.f, i, st[1], z.f, p, st[2], y.f, j, n);
                    } else if (vector && y.d != null) {
                        DoubleRows.where(c.b, q, x.d, i, st[1], z.d, p, st[2], y.d, j, n);
                    } else if (y.f != null) {
                        for (int k = 0; k < n; k++, q += st[0], i += st[1], p += st[2], j += st[3]) {
                            y.f[j] = c.b[q] ? x.f[i] : z.f[p];
                        }
                    } else if (y.d != null) {
                        for (int k = 0; k < n; k++, q += st[0], i += st[1], p += st[2], j += st[3]) {
                            y.d[j] = c.b[q] ? x.d[i] : z.d[p];
                        }
                    } else {
                        for (int k = 0; k < n; k++, q += st[0], i += st[1], p += st[2], j += st[3]) {
                            if (floating) {
                                y.setDouble(j, c.b[q] ? x.getDouble(i) : z.getDouble(p));
                            } else {
                                y.setLong(j, c.b[q] ? x.getLong(i) : z.getLong(p));
                            }
                        }
                    }
                });
    }

    /** {@link #forEachRow} a plane at a time ({@link StridedLoop#forEachPlane}), split over threads alike. */
    static void forEachPlane(int[] shape, int[][] strides, int[] offsets, int grain, StridedLoop.Plane body) {
        long numel = 1;
        for (int s : shape) {
            numel *= s;
        }
        if (numel < 2L * grain || Parallel.numThreads() == 1 || Parallel.inParallelRegion()) {
            StridedLoop.forEachPlane(shape, strides, offsets, body);
            return;
        }
        int d = 0;
        while (shape[d] == 1) {
            d++;
        }
        int dim = d;
        long inner = numel / shape[d];
        Parallel.parallelFor(0, shape[d], (int) Math.max(1, grain / inner), (from, to) -> {
            int[] sh = shape.clone();
            sh[dim] = to - from;
            int[] off = new int[offsets.length];
            for (int k = 0; k < off.length; k++) {
                off[k] = offsets[k] + from * strides[k][dim];
            }
            StridedLoop.forEachPlane(sh, strides, off, body);
        });
    }

    /**
     * {@link StridedLoop#forEachRow}, split over threads along the outermost dim of size > 1 when there are more
     * than {@code grain} elements (chunks of at least {@code grain} elements). Rows never straddle two chunks.
     */
    static void forEachRow(int[] shape, int[][] strides, int[] offsets, int grain, StridedLoop.Row body) {
        long numel = 1;
        for (int s : shape) {
            numel *= s;
        }
        if (numel < 2L * grain || Parallel.numThreads() == 1 || Parallel.inParallelRegion()) {
            StridedLoop.forEachRow(shape, strides, offsets, body);
            return;
        }
        int d = 0;
        while (shape[d] == 1) {
            d++;
        }
        int dim = d;
        long inner = numel / shape[d];
        int rowsPerChunk = (int) Math.max(1, grain / inner);
        Parallel.parallelFor(0, shape[d], rowsPerChunk, (from, to) -> {
            int[] sh = shape.clone();
            sh[dim] = to - from;
            int[] off = new int[offsets.length];
            for (int k = 0; k < off.length; k++) {
                off[k] = offsets[k] + from * strides[k][dim];
            }
            StridedLoop.forEachRow(sh, strides, off, body);
        });
    }
}
