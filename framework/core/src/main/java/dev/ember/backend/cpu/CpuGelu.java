package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.Strided;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact GELU and its gradient without temporaries. The forward runs the composite's own steps ({@code u = x *
 * -sqrt(1/2)}, {@code erfc(u)}, times x, times 1/2) over each chunk in the output buffer, so it gives the
 * composite's bits; the backward evaluates {@code Phi(x) + x phi(x)} in double ({@code Phi = erfc(-x / sqrt 2) / 2},
 * {@code phi = exp(-x^2 / 2) / sqrt(2 pi)}), where the composite chains about ten tensors through autograd.
 */
final class CpuGelu {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final double NEG_SQRT_HALF = -Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final int GRAIN = 4096;

    private CpuGelu() {
    }


    static boolean forward(Strided in, Strided out) {
        if (!Strided.contiguousFloating(in, out)) {
            return false;
        }
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage y = (CpuStorage) out.storage();
        int xo = in.offset();
        int yo = out.offset();
        Parallel.parallelFor(0, in.numel(), GRAIN, (from, to) -> {
            int n = to - from;
            if (x.f != null) {
                float[] c = {(float) NEG_SQRT_HALF};
                float[] half = {0.5f};
                FloatRows.binary(BinaryOp.MUL, x.f, xo + from, 1, c, 0, 0, y.f, yo + from, n);
                VectorErf.row(true, y.f, yo + from, y.f, yo + from, n);
                FloatRows.binary(BinaryOp.MUL, x.f, xo + from, 1, y.f, yo + from, 1, y.f, yo + from, n);
                FloatRows.binary(BinaryOp.MUL, y.f, yo + from, 1, half, 0, 0, y.f, yo + from, n);
            } else {
                double[] c = {NEG_SQRT_HALF};
                double[] half = {0.5};
                DoubleRows.binary(BinaryOp.MUL, x.d, xo + from, 1, c, 0, 0, y.d, yo + from, n);
                VectorErf.row(true, y.d, yo + from, y.d, yo + from, n);
                DoubleRows.binary(BinaryOp.MUL, x.d, xo + from, 1, y.d, yo + from, 1, y.d, yo + from, n);
                DoubleRows.binary(BinaryOp.MUL, y.d, yo + from, 1, half, 0, 0, y.d, yo + from, n);
            }
        });
        return true;
    }

    /** dGELU/dx at x: Phi(x) + x phi(x), lane by lane (the scalar {@link #slope(double)} gives the same bits). */
    private static DoubleVector slope(DoubleVector x) {
        DoubleVector cdf = VectorErf.erfc(x.mul(NEG_SQRT_HALF)).mul(0.5);
        DoubleVector pdf = ExactMath.exp(x.mul(x).mul(-0.5)).mul(INV_SQRT_2PI);
        return cdf.add(x.mul(pdf));
    }

    private static double slope(double x) {
        double cdf = VectorErf.erfc(x * NEG_SQRT_HALF) * 0.5;
        double pdf = ExactMath.exp(x * x * -0.5) * INV_SQRT_2PI;
        return cdf + x * pdf;
    }

    static boolean backward(Strided in, Strided gradOut, Strided gradIn) {
        if (!Strided.contiguousFloating(in, gradOut, gradIn)) {
            return false;
        }
        CpuStorage x = (CpuStorage) in.storage();
        CpuStorage g = (CpuStorage) gradOut.storage();
        CpuStorage y = (CpuStorage) gradIn.storage();
        int xo = in.offset();
        int go = gradOut.offset();
        int yo = gradIn.offset();
        Parallel.parallelFor(0, in.numel(), GRAIN, (from, to) -> {
            if (x.f != null) {
                backwardF(x.f, xo + from, g.f, go + from, y.f, yo + from, to - from);
            } else {
                backwardD(x.d, xo + from, g.d, go + from, y.d, yo + from, to - from);
            }
        });
        return true;
    }

    /**
     * float32 gradient in blocks, in two loops with one transcendental each (erfc into a double scratch, then exp
     * and the product): one loop with both grew too big for C2 to inline every vector op, and the double-vector
     * ops it left out ran as Java fallbacks that allocated a boxed vector each (about a tenth of char-GPT's
     * garbage). Each element gets the operations of {@link #slope(double)}, with erfc's series cut to the terms a
     * float32 result needs ({@link VectorErf#erfcForFloat}).
     */
    private static void backwardF(float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        double[] cdf = CDF.get();
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            cdfF(x, xo + b, cdf, m);
            combineF(x, xo + b, g, go + b, cdf, y, yo + b, m);
        }
    }

    private static final int BLOCK = 1024;
    private static final ThreadLocal<double[]> CDF = ThreadLocal.withInitial(() -> new double[BLOCK]);

    /** cdf[i] = Phi(x[xo + i]) = erfc(-x / sqrt 2) / 2, in double. */
    private static void cdfF(float[] x, int xo, double[] cdf, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        int bound = FH.loopBound(n);
        int i = 0;
        for (; i < bound; i += FH.length()) {
            DoubleVector v = (DoubleVector) FloatVector.fromMemorySegment(FH, xs, (long) (xo + i) << 2, NATIVE)
                    .convertShape(VectorOperators.F2D, D, 0);
            VectorErf.erfcForFloat(v.mul(NEG_SQRT_HALF)).mul(0.5).intoArray(cdf, i);
        }
        for (; i < n; i++) {
            cdf[i] = VectorErf.erfcForFloat(x[xo + i] * NEG_SQRT_HALF) * 0.5;
        }
    }

    /** y = g * (cdf + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
    private static void combineF(float[] x, int xo, float[] g, int go, double[] cdf, float[] y, int yo, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = FH.loopBound(n);
        int i = 0;
        for (; i < bound; i += FH.length()) {
            DoubleVector v = (DoubleVector) FloatVector.fromMemorySegment(FH, xs, (long) (xo + i) << 2, NATIVE)
                    .convertShape(VectorOperators.F2D, D, 0);
            DoubleVector gv = (DoubleVector) FloatVector.fromMemorySegment(FH, gs, (long) (go + i) << 2, NATIVE)
                    .convertShape(VectorOperators.F2D, D, 0);
            DoubleVector pdf = ExactMath.exp(v.mul(v).mul(-0.5)).mul(INV_SQRT_2PI);
            DoubleVector slope = DoubleVector.fromArray(D, cdf, i).add(v.mul(pdf));
            ((FloatVector) gv.mul(slope).convertShape(VectorOperators.D2F, FH, 0))
                    .intoMemorySegment(ys, (long) (yo + i) << 2, NATIVE);
        }
        for (; i < n; i++) {
            double v = x[xo + i];
            double pdf = ExactMath.exp(v * v * -0.5) * INV_SQRT_2PI;
            y[yo + i] = (float) (g[go + i] * (cdf[i] + v * pdf));
        }
    }

    private static void backwardD(double[] x, int xo, double[] g, int go, double[] y, int yo, int n) {
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment ys = MemorySegment.ofArray(y);
        int bound = D.loopBound(n);
        int i = 0;
        for (; i < bound; i += D.length()) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, xs, (long) (xo + i) << 3, NATIVE);
            DoubleVector gv = DoubleVector.fromMemorySegment(D, gs, (long) (go + i) << 3, NATIVE);
            gv.mul(slope(v)).intoMemorySegment(ys, (long) (yo + i) << 3, NATIVE);
        }
        for (; i < n; i++) {
            y[yo + i] = g[go + i] * slope(x[xo + i]);
        }
    }
}
