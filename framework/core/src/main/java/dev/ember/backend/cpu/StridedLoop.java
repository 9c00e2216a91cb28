package dev.ember.backend.cpu;

/**
 * Walks several same-shaped strided operands together, calling a body once per innermost row, so kernels
 * only write the tight inner loop. Adjacent dimensions that are contiguous with each other in every
 * operand are merged first, so a contiguous tensor is one long row whatever its rank.
 */
final class StridedLoop {
    private StridedLoop() {
    }

    /** Body of one row: {@code offsets[k]} is operand k's first element, {@code steps[k]} its inner stride. */
    interface Row {
        void run(int[] offsets, int[] steps, int length);
    }

    /**
     * Body of one plane: {@code rows} rows, row r of operand k starting at {@code offsets[k] + r * rowSteps[k]},
     * each of {@code length} elements {@code steps[k]} apart. Kernels loop over the rows themselves, so a tensor
     * of many short rows (an image in im2col) costs one call per plane rather than one per row.
     */
    interface Plane {
        void run(int[] offsets, int[] rowSteps, int rows, int[] steps, int length);
    }

    /** As {@link #forEachRow}, a plane (the two innermost merged dims) at a time. */
    static void forEachPlane(int[] shape, int[][] strides, int[] offsets, Plane body) {
        int ops = offsets.length;
        for (int s : shape) {
            if (s == 0) {
                return;
            }
        }
        int[] sh = new int[Math.max(shape.length, 1)];
        int[][] st = new int[ops][sh.length];
        int nd = merge(shape, strides, sh, st);
        int inner = sh[nd - 1];
        int[] steps = new int[ops];
        int[] rowSteps = new int[ops];
        for (int k = 0; k < ops; k++) {
            steps[k] = st[k][nd - 1];
            rowSteps[k] = nd >= 2 ? st[k][nd - 2] : 0;
        }
        int rows = nd >= 2 ? sh[nd - 2] : 1;
        int[] off = offsets.clone();
        int[] idx = new int[nd];
        while (true) {
            body.run(off, rowSteps, rows, steps, inner);
            int d = nd - 3;
            for (; d >= 0; d--) {
                idx[d]++;
                for (int k = 0; k < ops; k++) {
                    off[k] += st[k][d];
                }
                if (idx[d] < sh[d]) {
                    break;
                }
                for (int k = 0; k < ops; k++) {
                    off[k] -= st[k][d] * sh[d];
                }
                idx[d] = 0;
            }
            if (d < 0) {
                return;
            }
        }
    }

    /** Merges dims contiguous together in every operand, dropping size-1 dims; returns the merged rank (>= 1). */
    private static int merge(int[] shape, int[][] strides, int[] sh, int[][] st) {
        int ops = strides.length;
        int nd = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = nd > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = st[k][nd - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                sh[nd - 1] *= shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][nd - 1] = strides[k][d];
                }
            } else {
                sh[nd] = shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][nd] = strides[k][d];
                }
                nd++;
            }
        }
        if (nd == 0) {
            sh[0] = 1;
            nd = 1;
        }
        return nd;
    }

    static void forEachRow(int[] shape, int[][] strides, int[] offsets, Row body) {
        int ops = offsets.length;
        for (int s : shape) {
            if (s == 0) {
                return;
            }
        }
        // merge dims: keep a working copy of shape and strides with size-1 dims dropped
        int[] sh = new int[Math.max(shape.length, 1)];
        int[][] st = new int[ops][sh.length];
        int nd = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = nd > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = st[k][nd - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                sh[nd - 1] *= shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][nd - 1] = strides[k][d];
                }
            } else {
                sh[nd] = shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][nd] = strides[k][d];
                }
                nd++;
            }
        }
        if (nd == 0) {
            sh[0] = 1;
            nd = 1;
        }
        int inner = sh[nd - 1];
        int[] steps = new int[ops];
        for (int k = 0; k < ops; k++) {
            steps[k] = st[k][nd - 1];
        }
        int[] off = offsets.clone();
        int[] idx = new int[nd];
        while (true) {
            body.run(off, steps, inner);
            int d = nd - 2;
            for (; d >= 0; d--) {
                idx[d]++;
                for (int k = 0; k < ops; k++) {
                    off[k] += st[k][d];
                }
                if (idx[d] < sh[d]) {
                    break;
                }
                for (int k = 0; k < ops; k++) {
                    off[k] -= st[k][d] * sh[d];
                }
                idx[d] = 0;
            }
            if (d < 0) {
                return;
            }
        }
    }
}
