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
 * {@link Special#erfc} in double precision (erf's Taylor series below 0.5, in Horner form, the Chebyshev series of
 * erfc with Clenshaw's recurrence and {@link ExactMath}'s repeatable exp), so each lane agrees with the scalar
 * reference to about an ulp; float32 rows are widened to double, summed over the series' first {@link #FLOAT_TERMS}
 * terms (all a float32 result needs) and rounded once. Each vector function has a
 * scalar twin with the same bits, for the rows' tails. Exact GELU spends most of its time here.
 */
final class VectorErf {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final double[] CHEB = Special.erfcChebyshev();
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /** Taylor coefficients of erf/(2/sqrt(pi)) in x^2: (-1)^n / (n! (2n + 1)); 13 terms reach double precision below 0.5. */
    private static final double[] TAYLOR = new double[13];

    static {
        double factorial = 1;
        for (int n = 0; n < TAYLOR.length; n++) {
            factorial *= Math.max(1, n);
            TAYLOR[n] = (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1)); // the denominator is exact
        }
    }

    private VectorErf() {
    }

    /**
     * Terms of the Chebyshev series kept for results rounded to float32: the first dropped coefficient is below
     * 1e-10 and the rest add up to about 1e-10, an error in the exponent, so relative to erfc, that is a
     * six-hundredth of a float32 ulp. Half the series' work of the 28 terms double precision needs.
     */
    static final int FLOAT_TERMS = 16;

    /**
     * erfc(|x|) by the Chebyshev series, its first {@code terms} coefficients: t exp(-x^2 + sum_k C_k T_k(2t - 1)),
     * t = 2 / (2 + |x|).
     */
    private static DoubleVector erfcAbs(DoubleVector a, int terms) {
        DoubleVector t = DoubleVector.broadcast(D, 2).div(a.add(2));
        DoubleVector u2 = t.mul(4).sub(2);
        DoubleVector b1 = DoubleVector.zero(D);
        DoubleVector b2 = DoubleVector.zero(D);
        for (int k = terms - 1; k >= 1; k--) {
            DoubleVector b = u2.mul(b1).sub(b2).add(CHEB[k]);
            b2 = b1;
            b1 = b;
        }
        DoubleVector series = u2.mul(0.5).mul(b1).sub(b2).add(CHEB[0]);
        return t.mul(ExactMath.exp(series.sub(a.mul(a))));
    }

    /** The scalar twin of {@link #erfcAbs(DoubleVector, int)}: the same operations in the same order. */
    private static double erfcAbs(double a, int terms) {
        double t = 2 / (a + 2);
        double u2 = t * 4 - 2;
        double b1 = 0;
        double b2 = 0;
        for (int k = terms - 1; k >= 1; k--) {
            double b = u2 * b1 - b2 + CHEB[k];
            b2 = b1;
            b1 = b;
        }
        double series = u2 * 0.5 * b1 - b2 + CHEB[0];
        return t * ExactMath.exp(series - a * a);
    }

    /** {@link Special#erfc}: erfc(|x|), reflected as 2 - erfc(|x|) for negative x. */
    static DoubleVector erfc(DoubleVector x) {
        return erfc(x, CHEB.length);
    }

    static double erfc(double x) {
        return erfc(x, CHEB.length);
    }

    /** erfc in double for a result that is rounded to float32: {@link #FLOAT_TERMS} terms of the series. */
    static DoubleVector erfcForFloat(DoubleVector x) {
        return erfc(x, FLOAT_TERMS);
    }

    static double erfcForFloat(double x) {
        return erfc(x, FLOAT_TERMS);
    }

    private static DoubleVector erfc(DoubleVector x, int terms) {
        DoubleVector c = erfcAbs(x.abs(), terms);
        return c.blend(DoubleVector.broadcast(D, 2).sub(c), x.compare(VectorOperators.LT, 0));
    }

    private static double erfc(double x, int terms) {
        double c = erfcAbs(Math.abs(x), terms);
        return x < 0 ? 2 - c : c;
    }

    static DoubleVector erf(DoubleVector x) {
        return erf(x, CHEB.length);
    }

    private static DoubleVector erf(DoubleVector x, int terms) {
        DoubleVector a = x.abs();
        DoubleVector x2 = x.mul(x);
        DoubleVector s = DoubleVector.broadcast(D, TAYLOR[TAYLOR.length - 1]);
        for (int n = TAYLOR.length - 2; n >= 0; n--) {
            s = s.mul(x2).add(TAYLOR[n]);
        }
        DoubleVector small = x.mul(s).mul(TWO_OVER_SQRT_PI);
        VectorMask<Double> useSmall = a.compare(VectorOperators.LT, 0.5);
        if (useSmall.allTrue()) {
            return small; // the series alone (the blend below would pick it in every lane)
        }
        DoubleVector large = DoubleVector.broadcast(D, 1).sub(erfcAbs(a, terms));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0));
        return large.blend(small, useSmall);
    }

    /** The scalar twin of {@link #erf(DoubleVector)}, for the tails of rows. */
    static double erf(double x) {
        return erf(x, CHEB.length);
    }

    private static double erf(double x, int terms) {
        if (Math.abs(x) < 0.5) {
            double x2 = x * x;
            double s = TAYLOR[TAYLOR.length - 1];
            for (int n = TAYLOR.length - 2; n >= 0; n--) {
                s = s * x2 + TAYLOR[n];
            }
            return x * s * TWO_OVER_SQRT_PI;
        }
        double large = 1 - erfcAbs(Math.abs(x), terms);
        return x < 0 ? -large : large;
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
            y[yo + i] = complement ? erfc(x[xo + i]) : erf(x[xo + i]);
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
            DoubleVector r = complement ? erfc(v, FLOAT_TERMS) : erf(v, FLOAT_TERMS);
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoMemorySegment(ys, (long) (yo + i) << 2,
                    NATIVE);
        }
        for (; i < n; i++) {
            y[yo + i] = (float) (complement ? erfc(x[xo + i], FLOAT_TERMS) : erf(x[xo + i], FLOAT_TERMS));
        }
    }
}
