package dev.ember.backend.cpu;

import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import java.util.Arrays;

/**
 * Fast reductions of a contiguous float32 or float64 input, over any set of dims. Consecutive dims that are
 * all reduced or all kept merge into blocks, so the input is a row-major array of blocks, e.g. (kept M,
 * reduced K) for a sum over the last dim, (reduced N, kept C) for a bias gradient, (kept N*C, reduced k*k, kept
 * L) for a max pool. The input is walked once, in memory order, as rows of the last block: a reduced last block
 * reduces each row to one value ({@link ReduceRows#sum}), a kept one folds each row into a row of accumulators
 * ({@link ReduceRows#addInto}). ARGMAX and ARGMIN take the case of one reduced block. Anything else (strided
 * inputs, integers, several reduced blocks for arg) returns false and runs {@link CpuReduce}'s general loop, the
 * reference these paths are tested against.
 */
final class ContiguousReduce {
    /** Input elements per chunk of parallel work. */
    private static final int GRAIN = 32768;

    private ContiguousReduce() {
    }

    /** The input as merged blocks: sizes, and whether each block is reduced. */
    private record Blocks(int[] size, boolean[] reduced, int count) {
        int last() {
            return size[count - 1];
        }
    }

    static boolean run(ReduceOp op, Strided in, int[] dims, Strided out) {
        CpuStorage x = (CpuStorage) in.storage();
        if ((x.f == null && x.d == null) || !in.isContiguous() || !out.isContiguous()) {
            return false;
        }
        Blocks b = blocks(in.shape(), dims);
        int reducedBlocks = 0;
        for (int i = 0; i < b.count; i++) {
            reducedBlocks += b.reduced[i] ? 1 : 0;
        }
        if (reducedBlocks == 0) {
            return false; // nothing to reduce but size-1 dims: the general loop copies
        }
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            return reducedBlocks == 1 && ArgReduce.run(op == ReduceOp.ARGMAX, x, in.offset(), b.size, b.reduced,
                    b.count, (CpuStorage) out.storage(), out.offset());
        }
        int outN = out.numel();
        CpuStorage y = (CpuStorage) out.storage();
        if (op == ReduceOp.SUM) {
            double[] acc = new double[outN];
            walk(b, in.offset(), outN, (row, o, c0, c1) -> {
                if (x.f != null) {
                    if (b.reduced[b.count - 1]) {
                        acc[o] += ReduceRows.sum(x.f, row, b.last());
                    } else {
                        ReduceRows.addInto(acc, o + c0, x.f, row + c0, c1 - c0);
                    }
                } else if (b.reduced[b.count - 1]) {
                    acc[o] += ReduceRows.sum(x.d, row, b.last());
                } else {
                    ReduceRows.addInto(acc, o + c0, x.d, row + c0, c1 - c0);
                }
            });
            for (int i = 0; i < outN; i++) {
                y.setDouble(out.offset() + i, acc[i]);
            }
            return true;
        }
        boolean max = op == ReduceOp.MAX;
        double init = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (x.f != null) {
            float[] acc = new float[outN];
            Arrays.fill(acc, (float) init);
            walk(b, in.offset(), outN, (row, o, c0, c1) -> {
                if (b.reduced[b.count - 1]) {
                    float m = ReduceRows.extreme(max, x.f, row, b.last());
                    acc[o] = max ? Math.max(acc[o], m) : Math.min(acc[o], m);
                } else {
                    ReduceRows.extremeInto(max, acc, o + c0, x.f, row + c0, c1 - c0);
                }
            });
            System.arraycopy(acc, 0, y.f, out.offset(), outN);
        } else {
            double[] acc = new double[outN];
            Arrays.fill(acc, init);
            walk(b, in.offset(), outN, (row, o, c0, c1) -> {
                if (b.reduced[b.count - 1]) {
                    double m = ReduceRows.extreme(max, x.d, row, b.last());
                    acc[o] = max ? Math.max(acc[o], m) : Math.min(acc[o], m);
                } else {
                    ReduceRows.extremeInto(max, acc, o + c0, x.d, row + c0, c1 - c0);
                }
            });
            System.arraycopy(acc, 0, y.d, out.offset(), outN);
        }
        return true;
    }

    private static Blocks blocks(int[] shape, int[] dims) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) {
            red[d] = true;
        }
        int[] size = new int[Math.max(shape.length, 1)];
        boolean[] reduced = new boolean[size.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (n > 0 && reduced[n - 1] == red[d]) {
                size[n - 1] *= shape[d];
            } else {
                size[n] = shape[d];
                reduced[n++] = red[d];
            }
        }
        return new Blocks(size, reduced, n);
    }

    /** One row of the last block: input offset, output offset, and the column range [c0, c1) to fold. */
    private interface RowBody {
        void run(int row, int out, int c0, int c1);
    }

    /**
     * Calls {@code body} for every row of the last block in memory order, with the offset (relative to the
     * output's start) of the output element (reduced last block) or output row (kept last block) it goes to.
     * Splits over threads where chunks write disjoint outputs: along the first block when it is kept, or along
     * the columns of a kept last block.
     */
    private static void walk(Blocks b, int inOffset, int outN, RowBody body) {
        int nb = b.count;
        int k = b.last();
        boolean lastReduced = b.reduced[nb - 1];
        int[] outStride = new int[nb];
        int s = 1;
        for (int i = nb - 1; i >= 0; i--) {
            outStride[i] = b.reduced[i] ? 0 : s;
            s *= b.reduced[i] ? 1 : b.size[i];
        }
        int outer = 1;
        for (int i = 0; i < nb - 1; i++) {
            outer *= b.size[i];
        }
        int rows = outer;
        long numel = (long) rows * k;
        boolean big = numel >= 2L * GRAIN && Parallel.numThreads() > 1 && !Parallel.inParallelRegion();
        if (big && nb >= 2 && !b.reduced[0] && b.size[0] > 1) {
            int perFirst = rows / b.size[0];
            int grain = (int) Math.max(1, GRAIN / ((long) perFirst * k));
            Parallel.parallelFor(0, b.size[0], grain, (from, to) ->
                    rows(b, outStride, inOffset, from * perFirst, to * perFirst, 0, k, body));
        } else if (big && !lastReduced && k >= 512) {
            Parallel.parallelFor(0, k, Math.max(256, (int) (GRAIN / rows)), (c0, c1) ->
                    rows(b, outStride, inOffset, 0, rows, c0, c1, body));
        } else {
            rows(b, outStride, inOffset, 0, rows, 0, k, body);
        }
    }

    /** Rows [r0, r1) of the last block, columns [c0, c1). */
    private static void rows(Blocks b, int[] outStride, int inOffset, int r0, int r1, int c0, int c1, RowBody body) {
        int nb = b.count;
        int k = b.last();
        // the digits of r0 over blocks 0..nb-2, and the output offset they give
        int[] idx = new int[Math.max(nb - 1, 1)];
        int o = 0;
        int rem = r0;
        for (int i = nb - 2; i >= 0; i--) {
            idx[i] = rem % b.size[i];
            rem /= b.size[i];
            o += idx[i] * outStride[i];
        }
        for (int r = r0; r < r1; r++) {
            body.run(inOffset + r * k, o, c0, c1);
            for (int i = nb - 2; i >= 0; i--) {
                idx[i]++;
                o += outStride[i];
                if (idx[i] < b.size[i]) {
                    break;
                }
                o -= outStride[i] * b.size[i];
                idx[i] = 0;
            }
        }
    }
}
