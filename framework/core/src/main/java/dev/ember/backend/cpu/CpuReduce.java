package dev.ember.backend.cpu;

import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;

/**
 * Reductions. Contiguous float32 and float64 inputs take the vectorised paths of {@link ContiguousReduce};
 * everything else runs the general loop here, which is their reference: for every output element, a loop over
 * the reduced sub-block of the input. The offsets of that sub-block (relative to its first element) are listed
 * once, in row-major order of the reduced dims, so ARGMAX's index is the position in that list. Floating sums
 * accumulate in double.
 */
final class CpuReduce {
    private CpuReduce() {
    }

    static void reduce(ReduceOp op, Strided in, int[] dims, Strided out) {
        if (!ContiguousReduce.run(op, in, dims, out)) {
            general(op, in, dims, out);
        }
    }

    /** The plain loop for any strides and dtype. */
    static void general(ReduceOp op, Strided in, int[] dims, Strided out) {
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int[] shape = in.shape();
        int[] strides = in.strides();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        int[] rel = relativeOffsets(shape, strides, reduced);
        int[] keptShape = out.shape();
        boolean floating = x.dtype().isFloatingPoint();
        StridedLoop.forEachRow(keptShape, new int[][] {strides, out.strides()},
                new int[] {in.offset(), out.offset()}, (o, st, n) -> {
                    int base = o[0];
                    int j = o[1];
                    for (int k = 0; k < n; k++, base += st[0], j += st[1]) {
                        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
                            y.setLong(j, arg(op == ReduceOp.ARGMAX, x, base, rel, floating));
                        } else if (floating) {
                            y.setDouble(j, reduceDouble(op, x, base, rel));
                        } else {
                            y.setLong(j, reduceLong(op, x, base, rel));
                        }
                    }
                });
    }

    private static int[] relativeOffsets(int[] shape, int[] strides, boolean[] reduced) {
        int count = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                count *= shape[d];
            }
        }
        int[] rel = new int[count];
        int n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                continue;
            }
            // expand the list: every existing offset times every index along d, keeping row-major order
            int size = shape[d];
            for (int i = n - 1; i >= 0; i--) {
                for (int t = size - 1; t >= 0; t--) {
                    rel[i * size + t] = rel[i] + t * strides[d];
                }
            }
            n *= size;
        }
        return rel;
    }

    private static double reduceDouble(ReduceOp op, CpuStorage x, int base, int[] rel) {
        switch (op) {
            case SUM -> {
                double s = 0;
                for (int r : rel) {
                    s += x.getDouble(base + r);
                }
                return s;
            }
            case MAX, MIN -> {
                boolean max = op == ReduceOp.MAX;
                double m = x.getDouble(base + rel[0]);
                for (int i = 1; i < rel.length && m == m; i++) {
                    double v = x.getDouble(base + rel[i]);
                    if (v != v || (max ? v > m : v < m)) {
                        m = v;
                    }
                }
                return m;
            }
            default -> throw new IllegalStateException(op.name());
        }
    }

    private static long reduceLong(ReduceOp op, CpuStorage x, int base, int[] rel) {
        switch (op) {
            case SUM -> {
                long s = 0;
                for (int r : rel) {
                    s += x.getLong(base + r);
                }
                return s;
            }
            case MAX, MIN -> {
                boolean max = op == ReduceOp.MAX;
                long m = x.getLong(base + rel[0]);
                for (int i = 1; i < rel.length; i++) {
                    long v = x.getLong(base + rel[i]);
                    m = max ? Math.max(m, v) : Math.min(m, v);
                }
                return m;
            }
            default -> throw new IllegalStateException(op.name());
        }
    }

    private static long arg(boolean max, CpuStorage x, int base, int[] rel, boolean floating) {
        int best = 0;
        double m = x.getDouble(base + rel[0]);
        long ml = x.getLong(base + rel[0]);
        for (int i = 1; i < rel.length; i++) {
            if (floating) {
                if (m != m) {
                    break; // NaN wins, as in PyTorch
                }
                double v = x.getDouble(base + rel[i]);
                if (v != v || (max ? v > m : v < m)) {
                    m = v;
                    best = i;
                }
            } else {
                long v = x.getLong(base + rel[i]);
                if (max ? v > ml : v < ml) {
                    ml = v;
                    best = i;
                }
            }
        }
        return best;
    }
}
