package dev.ember.backend.cpu;

import dev.ember.backend.Special;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * erf and erfc on rows with the Vector API, lane by lane the algorithms of {@link Special#erf} and
 * {@link Special#erfc} in double precision (erf's Taylor series below 0.5, the Chebyshev series of erfc with
 * Clenshaw's recurrence), so each lane agrees with the scalar reference to about an ulp; float32 rows are widened
 * to double and rounded once. Exact GELU spends most of its time here.
 */
final class VectorErf {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final double[] CHEB = Special.erfcChebyshev();
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private VectorErf() {
    }

    /** erfc(|x|) by the Chebyshev series: t exp(-x^2 + sum_k C_k T_k(2t - 1)), t = 2 / (2 + |x|). */
    private static DoubleVector erfcAbs(DoubleVector a) {
        DoubleVector t = DoubleVector.broadcast(D, 2).div(a.add(2));
        DoubleVector u2 = t.mul(4).sub(2);
        DoubleVector b1 = DoubleVector.zero(D);
        DoubleVector b2 = DoubleVector.zero(D);
        for (int k = CHEB.length - 1; k >= 1; k--) {
            DoubleVector b = u2.mul(b1).sub(b2).add(CHEB[k]);
            b2 = b1;
            b1 = b;
        }
        DoubleVector series = u2.mul(0.5).mul(b1).sub(b2).add(CHEB[0]);
        return t.mul(ExactMath.exp(series.sub(a.mul(a))));
    }

    /** {@link Special#erfc}: erfc(|x|), reflected as 2 - erfc(|x|) for negative x. */
    static DoubleVector erfc(DoubleVector x) {
        DoubleVector c = erfcAbs(x.abs());
        return c.blend(DoubleVector.broadcast(D, 2).sub(c), x.compare(VectorOperators.LT, 0));
    }

    static DoubleVector erf(DoubleVector x) {
        DoubleVector a = x.abs();
        // Taylor: x * sum (-x^2)^n / (n! (2n + 1)), 13 terms
        DoubleVector x2 = x.mul(x);
        DoubleVector term = x;
        DoubleVector sum = x;
        for (int n = 1; n < 13; n++) {
            term = term.mul(x2.neg().div(n));
            sum = sum.add(term.div(2 * n + 1));
        }
        DoubleVector small = sum.mul(TWO_OVER_SQRT_PI);
        DoubleVector erfc = erfcAbs(a);
        DoubleVector large = DoubleVector.broadcast(D, 1).sub(erfc);
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0));
        VectorMask<Double> useSmall = a.compare(VectorOperators.LT, 0.5);
        return large.blend(small, useSmall);
    }

    /** y = erf(x), or erfc(x) with {@code complement}. */
    static void row(boolean complement, double[] x, int xo, double[] y, int yo, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = D.loopBound(n);
        int i = 0;
        for (; i < bound; i += D.length()) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, xs, (long) (xo + i) << 3, NATIVE);
            (complement ? erfc(v) : erf(v)).intoMemorySegment(ys, (long) (yo + i) << 3, NATIVE);
        }
        for (; i < n; i++) {
            y[yo + i] = complement ? Special.erfc(x[xo + i]) : Special.erf(x[xo + i]);
        }
    }

    static void row(boolean complement, float[] x, int xo, float[] y, int yo, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = FH.loopBound(n);
        int i = 0;
        for (; i < bound; i += FH.length()) {
            DoubleVector v = (DoubleVector) FloatVector.fromMemorySegment(FH, xs, (long) (xo + i) << 2, NATIVE)
                    .convertShape(VectorOperators.F2D, D, 0);
            ((FloatVector) (complement ? erfc(v) : erf(v)).convertShape(VectorOperators.D2F, FH, 0))
                    .intoMemorySegment(ys, (long) (yo + i) << 2, NATIVE);
        }
        for (; i < n; i++) {
            y[yo + i] = (float) (complement ? Special.erfc(x[xo + i]) : Special.erf(x[xo + i]));
        }
    }
}
