package dev.ember.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Repeatable exp and tanh of a whole vector, and a fixed-order lane sum. The Vector API's own transcendental
 * operators give different last bits when the JIT compiles them (to SVML-style stubs) than when they run
 * interpreted, so results would change with warm-up and from run to run; a training run with a fixed seed must
 * repeat exactly. So float32 exp and tanh are computed here from additions, multiplications and a division only
 * (each correctly rounded, hence the same bits interpreted or compiled): Cephes' expf and tanhf polynomials, within
 * about 2 ulp of the exact values; float64 exp likewise (Cephes' exp, about an ulp). float64 tanh goes through
 * {@link Math} lane by lane (the same in interpreter and compiled code), as do lanes near exp's overflow and
 * underflow. Every vector function has a scalar twin that gives the same bits, for the tails of rows.
 */
final class ExactMath {
    // one lane buffer per thread: these run inside hot loops, so they must not allocate
    private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[64]);
    private static final ThreadLocal<double[]> DOUBLES = ThreadLocal.withInitial(() -> new double[64]);

    private ExactMath() {
    }

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n * LN2_HI is exact for the |n| < 128 that occur
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // adding and then subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to the nearest integer
    private static final float ROUND = 12582912f;
    // Cephes expf: exp(r) = 1 + r + r^2 P(r) on [-ln2/2, ln2/2]
    private static final float E0 = 1.9875691500E-4f;
    private static final float E1 = 1.3981999507E-3f;
    private static final float E2 = 8.3334519073E-3f;
    private static final float E3 = 4.1665795894E-2f;
    private static final float E4 = 1.6666665459E-1f;
    private static final float E5 = 5.0000001201E-1f;
    // Cephes tanhf: tanh(x) = x + x z Q(z), z = x^2, for |x| < 0.625
    private static final float T0 = -5.70498872745E-3f;
    private static final float T1 = 2.06390887954E-2f;
    private static final float T2 = -5.37397155531E-2f;
    private static final float T3 = 1.33314422036E-1f;
    private static final float T4 = -3.33332819422E-1f;

    /**
     * e^x lane by lane; lanes beyond |x| > 87 (overflow, subnormal results) take {@link Math#exp}. Each lane's
     * value depends on that lane only, and equals {@link #exp(float)} of it: where a row is split between vector
     * body and scalar tail does not change a bit.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector n = x.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(E0).add(E1).mul(r).add(E2).mul(r).add(E3).mul(r).add(E4).mul(r).add(E5);
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        // 2^n from its bits; NaN lanes convert to n = 0 and stay NaN through y
        IntVector e = (IntVector) n.convert(VectorOperators.F2I, 0);
        FloatVector out = y.mul(e.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        var far = x.abs().compare(VectorOperators.GT, 87f);
        return far.anyTrue() ? out.blend(expMath(x), far) : out;
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order. */
    static float exp(float x) {
        if (Math.abs(x) > 87f) {
            return (float) Math.exp(x);
        }
        float n = x * LOG2E + ROUND - ROUND;
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = ((((r * E0 + E1) * r + E2) * r + E3) * r + E4) * r + E5;
        float y = p * (r * r) + r + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** The scalar twin of {@link #tanh(FloatVector)}. */
    static float tanh(float x) {
        float z = x * x;
        if (z == 0f) {
            return x;
        }
        float a = Math.abs(x);
        if (a < 0.625f) {
            float q = (((z * T0 + T1) * z + T2) * z + T3) * z + T4;
            return q * z * x + x;
        }
        float e = exp(Math.min(a, 9f) * 2f);
        float big = 1f - 2f / (e + 1f);
        return x < 0 ? -big : big;
    }

    /** {@code 1 / (1 + e^-x)} as FloatRows and the LSTM cell compute it: e = exp(-|x|) never overflows. */
    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float r = 1f / (e + 1f);
        return x < 0 ? e * r : r;
    }

    /** tanh lane by lane: the polynomial near 0, {@code 1 - 2 / (e^(2|x|) + 1)} with x's sign elsewhere. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector q = z.mul(T0).add(T1).mul(z).add(T2).mul(z).add(T3).mul(z).add(T4);
        // where x^2 is 0 (x = -0.0, or tiny) tanh(x) is x itself, sign of zero included
        FloatVector small = q.mul(z).mul(x).add(x).blend(x, z.compare(VectorOperators.EQ, 0f));
        // tanh(9) rounds to 1 in float32, so larger inputs need no exp (and exp never overflows here)
        FloatVector e = exp(a.min(9f).mul(2f));
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        FloatVector big = one.sub(one.mul(2f).div(e.add(1f)));
        big = big.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f));
        return big.blend(small, a.compare(VectorOperators.LT, 0.625f));
    }

    private static FloatVector expMath(FloatVector v) {
        float[] a = FLOATS.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = (float) Math.exp(a[i]);
        }
        return FloatVector.fromArray(v.species(), a, 0);
    }

    // Cephes exp: e^r = 1 + 2 r P(r^2) / (Q(r^2) - r P(r^2)) on [-ln2/2, ln2/2], about an ulp
    private static final double DLOG2E = 1.4426950408889634;
    private static final double DLN2_HI = 6.93145751953125E-1;
    private static final double DLN2_LO = 1.42860682030941723212E-6;
    private static final double DROUND = 6755399441055744.0; // 1.5 * 2^52: rounds to an integer
    private static final double P0 = 1.26177193074810590878E-4;
    private static final double P1 = 3.02994407707441961300E-2;
    private static final double P2 = 9.99999999999999999910E-1;
    private static final double Q0 = 3.00198505138664455042E-6;
    private static final double Q1 = 2.52448340349684104192E-3;
    private static final double Q2 = 2.27265548208155028766E-1;
    private static final double Q3 = 2.00000000000000000009E0;

    /**
     * e^x lane by lane from additions, multiplications and one division (repeatable, about an ulp); lanes beyond
     * |x| > 708 (overflow, subnormal results) take {@link Math#exp}. Equal, lane by lane, to {@link #exp(double)}.
     */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector n = x.mul(DLOG2E).add(DROUND).sub(DROUND);
        DoubleVector r = x.sub(n.mul(DLN2_HI)).sub(n.mul(DLN2_LO));
        DoubleVector rr = r.mul(r);
        DoubleVector px = r.mul(rr.mul(P0).add(P1).mul(rr).add(P2));
        DoubleVector qx = rr.mul(Q0).add(Q1).mul(rr).add(Q2).mul(rr).add(Q3);
        DoubleVector y = px.div(qx.sub(px)).mul(2).add(1);
        LongVector e = (LongVector) n.convert(VectorOperators.D2L, 0);
        DoubleVector out = y.mul(e.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
        var far = x.abs().compare(VectorOperators.GT, 708.0);
        return far.anyTrue() ? out.blend(expMath(x), far) : out;
    }

    /** The scalar twin of {@link #exp(DoubleVector)}. */
    static double exp(double x) {
        if (Math.abs(x) > 708.0) {
            return Math.exp(x);
        }
        double n = x * DLOG2E + DROUND - DROUND;
        double r = x - n * DLN2_HI - n * DLN2_LO;
        double rr = r * r;
        double px = r * ((rr * P0 + P1) * rr + P2);
        double qx = ((rr * Q0 + Q1) * rr + Q2) * rr + Q3;
        double y = px / (qx - px) * 2 + 1;
        return y * Double.longBitsToDouble(((long) n + 1023) << 52);
    }

    /** {@code 1 / (1 + e^-x)} as DoubleRows and the LSTM cell compute it: e = exp(-|x|) never overflows. */
    static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double r = 1.0 / (e + 1.0);
        return x < 0 ? e * r : r;
    }

    private static DoubleVector expMath(DoubleVector v) {
        double[] a = DOUBLES.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = Math.exp(a[i]);
        }
        return DoubleVector.fromArray(v.species(), a, 0);
    }

    static DoubleVector tanh(DoubleVector v) {
        double[] a = DOUBLES.get();
        v.intoArray(a, 0);
        for (int i = 0; i < v.length(); i++) {
            a[i] = Math.tanh(a[i]);
        }
        return DoubleVector.fromArray(v.species(), a, 0);
    }

    /** Fixed left-to-right sum of the lanes ({@code reduceLanes(ADD)} may add them in any order). */
    static double sumLanes(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
