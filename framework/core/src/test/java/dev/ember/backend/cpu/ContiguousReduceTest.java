package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vectorised reductions of contiguous inputs ({@link ContiguousReduce}, {@link ArgReduce}) against the
 * general loop {@link CpuReduce#general} on random inputs: every subset of dims of shapes with odd sizes and
 * size-1 dims, float32 and float64, 1 and 2 threads (the parallel splits), ties and NaNs for max and argmax.
 */
class ContiguousReduceTest {
    private static final CpuBackend CPU = new CpuBackend();
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    private static int[] contiguous(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    private static Strided input(DType dtype, int[] shape, int offset, SplittableRandom rnd, boolean specials) {
        int n = numel(shape);
        double[] v = new double[n + offset];
        for (int i = 0; i < v.length; i++) {
            // small integers make ties common; a few NaNs where asked
            v[i] = specials && rnd.nextInt(40) == 0 ? Double.NaN
                    : rnd.nextBoolean() ? rnd.nextInt(5) : rnd.nextGaussian() * 100;
        }
        Object array = dtype == DType.FLOAT64 ? v : toFloats(v);
        return new Strided(CPU.wrap(array), shape, contiguous(shape), offset);
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static Strided output(DType dtype, int[] shape, int[] dims) {
        int[] kept = shape.clone();
        for (int d : dims) {
            kept[d] = 1;
        }
        return new Strided(CPU.allocate(dtype, numel(kept) + 2, Device.CPU), kept, contiguous(kept), 2);
    }

    private static double at(Strided t, int i) {
        return ((CpuStorage) t.storage()).getDouble(t.offset() + i);
    }

    @Test
    void everyDimSubsetMatchesTheGeneralLoop() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] shapes = {{37}, {5, 33}, {3, 1, 17}, {4, 6, 9}, {2, 3, 5, 7}, {1, 40, 1, 3}, {3, 300}, {300, 5}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setNumThreads(threads);
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int[] shape : shapes) {
                    for (int mask = 1; mask < (1 << shape.length); mask++) {
                        int bits = mask;
                        int[] dims = java.util.stream.IntStream.range(0, shape.length)
                                .filter(d -> (bits & (1 << d)) != 0).toArray();
                        for (ReduceOp op : ReduceOp.values()) {
                            boolean specials = op != ReduceOp.SUM && rnd.nextBoolean();
                            Strided in = input(dtype, shape, 3, rnd, specials);
                            DType outType = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? DType.INT64 : dtype;
                            Strided fast = output(outType, shape, dims);
                            Strided ref = output(outType, shape, dims);
                            CpuReduce.reduce(op, in, dims, fast);
                            CpuReduce.general(op, in, dims, ref);
                            String what = op + " over " + java.util.Arrays.toString(dims) + " of "
                                    + java.util.Arrays.toString(shape) + " " + dtype + ", " + threads + " thread(s)";
                            for (int i = 0; i < fast.numel(); i++) {
                                double want = at(ref, i);
                                double got = at(fast, i);
                                if (op == ReduceOp.SUM) {
                                    assertEquals(want, got, 1e-12 * 100 * numel(shape) + (dtype == DType.FLOAT32
                                            ? Math.ulp((float) want) : 0), what);
                                } else {
                                    assertEquals(want, got, 0.0, what + " at " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void largeInputsSplitAcrossThreads() {
        SplittableRandom rnd = new SplittableRandom(8);
        Parallel.setNumThreads(2);
        // big enough for the parallel paths: along the first block, and along the columns of a kept last block
        int[][] shapes = {{2, 40000}, {160, 512}};
        for (int[] shape : shapes) {
            for (int[] dims : new int[][] {{0}, {1}}) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.ARGMIN}) {
                    Strided in = input(DType.FLOAT32, shape, 0, rnd, false);
                    DType outType = op == ReduceOp.ARGMIN ? DType.INT64 : DType.FLOAT32;
                    Strided fast = output(outType, shape, dims);
                    Strided ref = output(outType, shape, dims);
                    CpuReduce.reduce(op, in, dims, fast);
                    CpuReduce.general(op, in, dims, ref);
                    for (int i = 0; i < fast.numel(); i++) {
                        double want = at(ref, i);
                        double tol = op == ReduceOp.SUM ? Math.ulp((float) want) : 0;
                        assertEquals(want, at(fast, i), tol, op + " " + java.util.Arrays.toString(shape) + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void stridedAndIntegerInputsTakeTheGeneralLoop() {
        // a transposed view is not contiguous: the fast path declines, the general loop runs
        Strided t = new Strided(CPU.wrap(new float[] {1, 2, 3, 4, 5, 6}), new int[] {3, 2}, new int[] {1, 3}, 0);
        Strided out = output(DType.FLOAT32, new int[] {3, 2}, new int[] {1});
        assertTrue(!ContiguousReduce.run(ReduceOp.SUM, t, new int[] {1}, out));
        CpuReduce.reduce(ReduceOp.SUM, t, new int[] {1}, out);
        assertEquals(5.0, at(out, 0));
        assertEquals(9.0, at(out, 2));
        Strided l = new Strided(CPU.wrap(new long[] {1, 2, 3}), new int[] {3}, new int[] {1}, 0);
        assertTrue(!ContiguousReduce.run(ReduceOp.SUM, l, new int[] {0}, output(DType.INT64, new int[] {3},
                new int[] {0})));
    }

    /** The vectorised argmax columns after JIT compilation (see RowKernelsTest#compiledKernelsStillMatch). */
    @Test
    void compiledArgReductionStillMatches() {
        SplittableRandom rnd = new SplittableRandom(9);
        int[] shape = {3, 4, 40};
        Strided in = input(DType.FLOAT32, shape, 0, rnd, true);
        Strided fast = output(DType.INT64, shape, new int[] {1});
        Strided ref = output(DType.INT64, shape, new int[] {1});
        CpuReduce.general(ReduceOp.ARGMAX, in, new int[] {1}, ref);
        for (int rep = 0; rep < 16000; rep++) {
            ReduceOp op = rep % 2 == 0 ? ReduceOp.ARGMAX : ReduceOp.ARGMIN;
            CpuReduce.reduce(op, in, new int[] {1}, fast);
            if (rep % 2 == 0 && (rep % 512 == 0 || rep >= 15900)) {
                for (int i = 0; i < fast.numel(); i++) {
                    assertEquals(at(ref, i), at(fast, i), 0.0, "argmax at " + i + ", call " + rep);
                }
            }
        }
    }
}
