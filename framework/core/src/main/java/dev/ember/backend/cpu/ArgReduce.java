package dev.ember.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * ARGMAX and ARGMIN of a contiguous float32 or float64 input over one block of consecutive dims, seen as
 * (A, R, K) with the R dim reduced: a row scan when K is 1, else R rows of K running maxima (a max pool's
 * windows: float32 columns in vectors). The first maximum wins ties, and the first NaN wins outright, as in
 * {@link CpuReduce}'s general loop and PyTorch.
 */
final class ArgReduce {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Ints with as many lanes as F, for the row indices. */
    private static final VectorSpecies<Integer> I =
            VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ArgReduce() {
    }

    static boolean run(boolean max, CpuStorage x, int inOff, int[] size, boolean[] reduced, int count,
                       CpuStorage y, int outOff) {
        int r = 0;
        while (!reduced[r]) {
            r++;
        }
        int a = r > 0 ? size[0] : 1;
        int rr = size[r];
        int k = r < count - 1 ? size[count - 1] : 1;
        int[] best = new int[k];
        for (int i = 0; i < a; i++) {
            int base = inOff + i * rr * k;
            if (x.f != null) {
                columns(max, x.f, base, rr, k, best);
            } else {
                columns(max, x.d, base, rr, k, best);
            }
            for (int j = 0; j < k; j++) {
                y.l[outOff + i * k + j] = best[j];
            }
        }
        return true;
    }

    /** best[j] = arg over t < rr of x[base + t*k + j]. */
    private static void columns(boolean max, float[] x, int base, int rr, int k, int[] best) {
        if (k == 1) {
            int b = 0;
            float m = x[base];
            for (int t = 1; t < rr && m == m; t++) {
                float v = x[base + t];
                if (v != v || (max ? v > m : v < m)) {
                    m = v;
                    b = t;
                }
            }
            best[0] = b;
            return;
        }
        float[] m = new float[k];
        System.arraycopy(x, base, m, 0, k);
        java.util.Arrays.fill(best, 0);
        int done = vectorColumns(max, x, base, rr, k, best);
        for (int t = 1; t < rr && done < k; t++) {
            int row = base + t * k;
            for (int j = done; j < k; j++) {
                float v = x[row + j];
                float c = m[j];
                if (c == c && (v != v || (max ? v > c : v < c))) {
                    m[j] = v;
                    best[j] = t;
                }
            }
        }
    }

    /**
     * The columns [0, bound) of whole vectors: per lane a running max (min) and the row it came from, updated
     * where a value beats it or is NaN, unless the running value is already NaN. Returns bound.
     */
    private static int vectorColumns(boolean max, float[] x, int base, int rr, int k, int[] best) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = F.loopBound(k);
        for (int j = 0; j < bound; j += F.length()) {
            FloatVector m = FloatVector.fromMemorySegment(F, xs, (long) (base + j) << 2, NATIVE);
            IntVector b = IntVector.zero(I);
            for (int t = 1; t < rr; t++) {
                FloatVector v = FloatVector.fromMemorySegment(F, xs, (long) (base + t * k + j) << 2, NATIVE);
                VectorMask<Float> take = (max ? v.compare(VectorOperators.GT, m) : v.compare(VectorOperators.LT, m))
                        .or(v.compare(VectorOperators.NE, v)).and(m.compare(VectorOperators.EQ, m));
                m = m.blend(v, take);
                b = b.blend(t, take.cast(I));
            }
            b.intoArray(best, j);
        }
        return bound;
    }

    private static void columns(boolean max, double[] x, int base, int rr, int k, int[] best) {
        if (k == 1) {
            int b = 0;
            double m = x[base];
            for (int t = 1; t < rr && m == m; t++) {
                double v = x[base + t];
                if (v != v || (max ? v > m : v < m)) {
                    m = v;
                    b = t;
                }
            }
            best[0] = b;
            return;
        }
        double[] m = new double[k];
        System.arraycopy(x, base, m, 0, k);
        java.util.Arrays.fill(best, 0);
        for (int t = 1; t < rr; t++) {
            int row = base + t * k;
            for (int j = 0; j < k; j++) {
                double v = x[row + j];
                double c = m[j];
                if (c == c && (v != v || (max ? v > c : v < c))) {
                    m[j] = v;
                    best[j] = t;
                }
            }
        }
    }
}
