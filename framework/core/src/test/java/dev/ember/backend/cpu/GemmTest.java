package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.backend.Strided;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packed Vector API GEMMs ({@link Sgemm}, {@link Dgemm}) against their plain twin
 * {@link CpuMatmul#reference} on random inputs: sizes that are not multiples of the micro-tile or of the
 * cache blocks, transposed / sliced / batch-expanded views of A and B, strided outputs, batches, 1 to 3
 * threads (so every work split runs even on a 2-core machine), float32 and float64.
 */
class GemmTest {
    private static final CpuBackend CPU = new CpuBackend();
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    /** How an operand of logical shape (batch, rows, cols) is laid out in its storage. */
    enum Layout { CONTIGUOUS, TRANSPOSED, SLICED, EXPANDED }

    private static Strided operand(boolean dbl, int batch, int rows, int cols, Layout layout, SplittableRandom rnd) {
        int[] shape = {batch, rows, cols};
        return switch (layout) {
            case CONTIGUOUS -> make(dbl, batch * rows * cols, 0, shape, new int[] {rows * cols, cols, 1}, rnd);
            // storage holds (batch, cols, rows); the view swaps the last two dims
            case TRANSPOSED -> make(dbl, batch * rows * cols, 0, shape, new int[] {rows * cols, 1, rows}, rnd);
            // a (batch, rows + 2, cols + 3) tensor narrowed to rows 1.. and cols 2..: offset and padded row stride
            case SLICED -> make(dbl, batch * (rows + 2) * (cols + 3), (cols + 3) + 2, shape,
                    new int[] {(rows + 2) * (cols + 3), cols + 3, 1}, rnd);
            // one (rows, cols) matrix expanded along the batch (stride 0), transposed for good measure
            case EXPANDED -> make(dbl, rows * cols, 0, shape, new int[] {0, 1, rows}, rnd);
        };
    }

    private static Strided make(boolean dbl, int size, int offset, int[] shape, int[] strides, SplittableRandom rnd) {
        Object data;
        if (dbl) {
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = rnd.nextDouble(-1, 1);
            }
            data = d;
        } else {
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) rnd.nextDouble(-1, 1);
            }
            data = f;
        }
        return new Strided(CPU.wrap(data), shape, strides, offset);
    }

    /** A contiguous output pre-filled with garbage (the kernels must overwrite, not accumulate into it). */
    private static Strided output(boolean dbl, int batch, int m, int n, boolean transposed) {
        int size = batch * m * n;
        Object data = dbl ? new double[size] : new float[size];
        if (dbl) {
            java.util.Arrays.fill((double[]) data, Double.NaN);
        } else {
            java.util.Arrays.fill((float[]) data, Float.NaN);
        }
        int[] strides = transposed ? new int[] {m * n, 1, m} : new int[] {m * n, n, 1};
        return new Strided(CPU.wrap(data), new int[] {batch, m, n}, strides, 0);
    }

    private static double get(Strided s, int p, int i, int j) {
        int idx = s.offset() + p * s.strides()[0] + i * s.strides()[1] + j * s.strides()[2];
        return ((CpuStorage) s.storage()).getDouble(idx);
    }

    private static void check(boolean dbl, int batch, int m, int n, int k, Layout la, Layout lb, boolean outT,
                              long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Strided a = operand(dbl, batch, m, k, la, rnd);
        Strided b = operand(dbl, batch, k, n, lb, rnd);
        Strided fast = output(dbl, batch, m, n, outT);
        Strided slow = output(dbl, batch, m, n, false);
        CpuMatmul.bmm(a, b, fast);
        CpuMatmul.reference(a, b, slow);
        // float32 sums of k products of values in [-1, 1] reorder with errors growing like k * eps
        double tol = dbl ? 1e-13 * (k + 1) : 2e-6 * (k + 1);
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = get(slow, p, i, j);
                    double got = get(fast, p, i, j);
                    if (!(Math.abs(want - got) <= tol)) {
                        fail((dbl ? "float64" : "float32") + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k
                                + " A " + la + " B " + lb + (outT ? " out transposed" : "") + ": at [" + p + ", "
                                + i + ", " + j + "] expected " + want + " got " + got);
                    }
                }
            }
        }
    }

    private static final int[] ODD = {1, 7, 33, 65, 130};

    @Test
    void oddSizesBothDtypesOneAndTwoThreads() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setNumThreads(threads);
            for (boolean dbl : new boolean[] {false, true}) {
                for (int m : ODD) {
                    for (int n : ODD) {
                        for (int k : ODD) {
                            check(dbl, 1, m, n, k, Layout.CONTIGUOUS, Layout.CONTIGUOUS, false, m * 1000L + n * 10 + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyLayoutOfAAndB() {
        for (boolean dbl : new boolean[] {false, true}) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    check(dbl, 2, 37, 45, 70, la, lb, false, la.ordinal() * 10 + lb.ordinal());
                    check(dbl, 3, 7, 5, 130, la, lb, false, la.ordinal() * 10 + lb.ordinal() + 100);
                }
            }
        }
    }

    @Test
    void blocksLargerThanOneCacheBlock() {
        // k > KC (several k blocks, the later ones accumulate), m > MC (several A blocks)
        check(false, 1, Sgemm.MC + 7, 70, Sgemm.KC * 2 + 3, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, 1);
        check(true, 1, Dgemm.MC + 7, 40, Dgemm.KC + 1, Layout.TRANSPOSED, Layout.CONTIGUOUS, false, 2);
        // n > NC: several column blocks (few rows and a short k keep it cheap)
        check(false, 1, 7, Sgemm.NC + 33, 5, Layout.CONTIGUOUS, Layout.CONTIGUOUS, false, 3);
        check(true, 1, 8, Dgemm.NC + 17, 4, Layout.SLICED, Layout.TRANSPOSED, false, 4);
    }

    @Test
    void workSplitsAmongThreeThreads() {
        // big enough for several threads: the tile grid is cut into rows x columns, and batches spread
        Parallel.setNumThreads(3);
        for (boolean dbl : new boolean[] {false, true}) {
            check(dbl, 1, 130, 200, 300, Layout.CONTIGUOUS, Layout.CONTIGUOUS, false, 5);
            // one row panel: the threads split the columns
            check(dbl, 1, 5, 2000, 700, Layout.TRANSPOSED, Layout.CONTIGUOUS, false, 6);
            // two big items for three threads: each item is split among all of them
            check(dbl, 2, 130, 200, 300, Layout.SLICED, Layout.TRANSPOSED, false, 10);
            check(dbl, 4, 70, 80, 500, Layout.CONTIGUOUS, Layout.EXPANDED, false, 7);
            check(dbl, 6, 65, 33, 100, Layout.SLICED, Layout.CONTIGUOUS, false, 8);
            check(dbl, 5, 100, 100, 250, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, 9);
        }
    }

    @Test
    void batchesOneToFive() {
        Parallel.setNumThreads(2);
        for (int batch = 1; batch <= 5; batch++) {
            check(false, batch, 33, 65, 130, Layout.CONTIGUOUS, Layout.CONTIGUOUS, false, batch);
            check(true, batch, 64, 64, 64, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, batch + 10);
            check(false, batch, 150, 140, 160, Layout.TRANSPOSED, Layout.EXPANDED, false, batch + 20);
        }
    }

    @Test
    void matrixVectorAndStridedOutputs() {
        for (boolean dbl : new boolean[] {false, true}) {
            // n = 1 and n = 3 swap A and B (C is then written through a transposed view)
            check(dbl, 1, 300, 1, 200, Layout.CONTIGUOUS, Layout.CONTIGUOUS, false, 11);
            check(dbl, 2, 70, 3, 90, Layout.TRANSPOSED, Layout.SLICED, false, 12);
            check(dbl, 1, 1, 300, 200, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, 13);
            // an output with column stride != 1 takes the edge path on every tile
            check(dbl, 2, 40, 50, 60, Layout.CONTIGUOUS, Layout.CONTIGUOUS, true, 14);
            // X @ W^T with few rows swaps A and B (W packs with straight copies), so C is written transposed;
            // the second has two k blocks, so the transposed writes also accumulate
            check(dbl, 1, 32, 512, 128, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, 15);
            check(dbl, 2, 20, 300, Sgemm.KC + 88, Layout.CONTIGUOUS, Layout.TRANSPOSED, false, 16);
        }
    }

    @Test
    void swapsOperandsWhereTheCostModelSaysSo() {
        int[] rowMajor = {512, 1};
        int[] transposed = {1, 512};
        // a linear layer on a small batch: X (32, 128) @ W^T, W (512, 128)
        assertTrue(GemmPlan.swap(32, 512, 128, 6, 32, 512, new int[] {128, 1}, new int[] {1, 128}, rowMajor));
        // square, all row-major: no
        assertFalse(GemmPlan.swap(512, 512, 512, 6, 32, 512, rowMajor, rowMajor, rowMajor));
        assertFalse(GemmPlan.swap(512, 512, 512, 6, 32, 512, rowMajor, transposed, rowMajor));
        // never both ways round
        for (int m : ODD) {
            for (int n : ODD) {
                boolean direct = GemmPlan.swap(m, n, 64, 6, 32, 512, new int[] {64, 1}, new int[] {1, 64},
                        new int[] {n, 1});
                boolean back = GemmPlan.swap(n, m, 64, 6, 32, 512, new int[] {64, 1}, new int[] {1, 64},
                        new int[] {1, n});
                assertFalse(direct && back, m + " x " + n);
            }
        }
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        for (boolean dbl : new boolean[] {false, true}) {
            Strided a = operand(dbl, 2, 40, 0, Layout.CONTIGUOUS, new SplittableRandom(1));
            Strided b = operand(dbl, 2, 0, 50, Layout.CONTIGUOUS, new SplittableRandom(2));
            Strided out = output(dbl, 2, 40, 50, false);
            // m * n * k = 0 is "tiny" for CpuMatmul, so call the GEMMs directly
            if (dbl) {
                Dgemm.bmm(2, 40, 50, 0, GemmOperand.D.of(a), GemmOperand.D.of(b), GemmOperand.D.of(out));
            } else {
                Sgemm.bmm(2, 40, 50, 0, GemmOperand.F.of(a), GemmOperand.F.of(b), GemmOperand.F.of(out));
            }
            for (int i = 0; i < 2 * 40 * 50; i++) {
                assertEquals(0.0, ((CpuStorage) out.storage()).getDouble(i));
            }
        }
    }

    @Test
    void int64StaysExact() {
        long[] x = {1L << 40, 3, 5, 7};
        long[] y = {2, 1L << 41, 11, 13};
        Strided a = new Strided(CPU.wrap(x), new int[] {1, 2, 2}, new int[] {4, 2, 1}, 0);
        Strided b = new Strided(CPU.wrap(y), new int[] {1, 2, 2}, new int[] {4, 2, 1}, 0);
        Strided out = new Strided(CPU.wrap(new long[4]), new int[] {1, 2, 2}, new int[] {4, 2, 1}, 0);
        CpuMatmul.bmm(a, b, out);
        long[] o = (long[]) ((CpuStorage) out.storage()).array();
        assertEquals((1L << 40) * 2 + 3 * 11, o[0]);
        assertEquals((1L << 40) * (1L << 41) + 3 * 13, o[1]);
        assertTrue(o[3] == 5L * (1L << 41) + 7 * 13);
    }
}
