package dev.ember.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for reductions over unit-stride rows: the sum, max or min of one row, and a row folded
 * into a row of accumulators. Float32 sums accumulate in double (each float lane widened), as the plain loops
 * of {@link CpuReduce} do. Max and min follow {@link Math#max}: a NaN anywhere makes the result NaN.
 */
final class ReduceRows {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats of half D's width: one load widens to exactly one vector of doubles. */
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceRows() {
    }

    private static DoubleVector widen(MemorySegment m, int i) {
        return (DoubleVector) FloatVector.fromMemorySegment(FH, m, (long) i << 2, NATIVE)
                .convertShape(VectorOperators.F2D, D, 0);
    }

    private static DoubleVector loadD(MemorySegment m, int i) {
        return DoubleVector.fromMemorySegment(D, m, (long) i << 3, NATIVE);
    }

    private static FloatVector loadF(MemorySegment m, int i) {
        return FloatVector.fromMemorySegment(F, m, (long) i << 2, NATIVE);
    }

    static double sum(float[] x, int off, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int step = D.length();
        int bound = step * 2 > n ? 0 : n - n % (step * 2);
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += 2 * step) {
            a0 = a0.add(widen(xs, off + i));
            a1 = a1.add(widen(xs, off + i + step));
        }
        double s = ExactMath.sumLanes(a0.add(a1));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    static double sum(double[] x, int off, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int step = D.length();
        int bound = step * 2 > n ? 0 : n - n % (step * 2);
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += 2 * step) {
            a0 = a0.add(loadD(xs, off + i));
            a1 = a1.add(loadD(xs, off + i + step));
        }
        double s = ExactMath.sumLanes(a0.add(a1));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** Max (or min) of a non-empty row; NaN if any element is NaN. */
    static float extreme(boolean max, float[] x, int off, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = F.loopBound(n);
        float m = x[off];
        int i = 0;
        if (bound > 0) {
            FloatVector acc = loadF(xs, off);
            for (i = F.length(); i < bound; i += F.length()) {
                acc = max ? acc.max(loadF(xs, off + i)) : acc.min(loadF(xs, off + i));
            }
            m = acc.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
        }
        for (; i < n; i++) {
            m = max ? Math.max(m, x[off + i]) : Math.min(m, x[off + i]);
        }
        return m;
    }

    static double extreme(boolean max, double[] x, int off, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = D.loopBound(n);
        double m = x[off];
        int i = 0;
        if (bound > 0) {
            DoubleVector acc = loadD(xs, off);
            for (i = D.length(); i < bound; i += D.length()) {
                acc = max ? acc.max(loadD(xs, off + i)) : acc.min(loadD(xs, off + i));
            }
            m = acc.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
        }
        for (; i < n; i++) {
            m = max ? Math.max(m, x[off + i]) : Math.min(m, x[off + i]);
        }
        return m;
    }

    /** {@code acc[ao + j] += x[xo + j]} for j in [0, n), float32 widened to double. */
    static void addInto(double[] acc, int ao, float[] x, int xo, int n) {
        MemorySegment as = MemorySegment.ofArray(acc);
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = D.loopBound(n);
        int j = 0;
        for (; j < bound; j += D.length()) {
            loadD(as, ao + j).add(widen(xs, xo + j)).intoMemorySegment(as, (long) (ao + j) << 3, NATIVE);
        }
        for (; j < n; j++) {
            acc[ao + j] += x[xo + j];
        }
    }

    static void addInto(double[] acc, int ao, double[] x, int xo, int n) {
        MemorySegment as = MemorySegment.ofArray(acc);
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = D.loopBound(n);
        int j = 0;
        for (; j < bound; j += D.length()) {
            loadD(as, ao + j).add(loadD(xs, xo + j)).intoMemorySegment(as, (long) (ao + j) << 3, NATIVE);
        }
        for (; j < n; j++) {
            acc[ao + j] += x[xo + j];
        }
    }

    /** {@code acc[ao + j] = max(acc[ao + j], x[xo + j])} (min with {@code max} false), NaN-propagating. */
    static void extremeInto(boolean max, float[] acc, int ao, float[] x, int xo, int n) {
        MemorySegment as = MemorySegment.ofArray(acc);
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = F.loopBound(n);
        int j = 0;
        for (; j < bound; j += F.length()) {
            FloatVector a = loadF(as, ao + j);
            FloatVector v = loadF(xs, xo + j);
            (max ? a.max(v) : a.min(v)).intoMemorySegment(as, (long) (ao + j) << 2, NATIVE);
        }
        for (; j < n; j++) {
            acc[ao + j] = max ? Math.max(acc[ao + j], x[xo + j]) : Math.min(acc[ao + j], x[xo + j]);
        }
    }

    static void extremeInto(boolean max, double[] acc, int ao, double[] x, int xo, int n) {
        MemorySegment as = MemorySegment.ofArray(acc);
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = D.loopBound(n);
        int j = 0;
        for (; j < bound; j += D.length()) {
            DoubleVector a = loadD(as, ao + j);
            DoubleVector v = loadD(xs, xo + j);
            (max ? a.max(v) : a.min(v)).intoMemorySegment(as, (long) (ao + j) << 3, NATIVE);
        }
        for (; j < n; j++) {
            acc[ao + j] = max ? Math.max(acc[ao + j], x[xo + j]) : Math.min(acc[ao + j], x[xo + j]);
        }
    }

    /** The dot product of two rows, float32 widened to double. */
    static double dot(float[] a, int ao, float[] b, int bo, int n) {
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment bs = MemorySegment.ofArray(b);
        int bound = D.loopBound(n);
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += D.length()) {
            acc = widen(as, ao + i).fma(widen(bs, bo + i), acc);
        }
        double s = ExactMath.sumLanes(acc);
        for (; i < n; i++) {
            s += (double) a[ao + i] * b[bo + i];
        }
        return s;
    }

    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        MemorySegment as = MemorySegment.ofArray(a);
        MemorySegment bs = MemorySegment.ofArray(b);
        int bound = D.loopBound(n);
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += D.length()) {
            acc = loadD(as, ao + i).fma(loadD(bs, bo + i), acc);
        }
        double s = ExactMath.sumLanes(acc);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }
}
