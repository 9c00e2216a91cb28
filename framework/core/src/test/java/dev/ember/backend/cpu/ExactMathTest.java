package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The polynomial float32 exp and tanh against {@link Math} (their plain twins): ulp error, edges, NaN. */
class ExactMathTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private interface VectorFn {
        FloatVector apply(FloatVector v);
    }

    /** The largest error in ulps of the float result, over inputs drawn uniformly from [lo, hi]. */
    private static double maxUlps(VectorFn f, java.util.function.DoubleUnaryOperator exact, float lo, float hi) {
        Random r = new Random(1);
        float[] in = new float[S.length()];
        float[] out = new float[S.length()];
        double worst = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            for (int i = 0; i < in.length; i++) {
                in[i] = lo + (hi - lo) * r.nextFloat();
            }
            f.apply(FloatVector.fromArray(S, in, 0)).intoArray(out, 0);
            for (int i = 0; i < in.length; i++) {
                double e = exact.applyAsDouble(in[i]);
                float ef = (float) e;
                double ulp = Math.ulp(ef == 0 ? Float.MIN_NORMAL : ef);
                worst = Math.max(worst, Math.abs(out[i] - e) / ulp);
            }
        }
        return worst;
    }

    @Test
    void expIsWithinTwoUlps() {
        assertTrue(maxUlps(ExactMath::exp, Math::exp, -80f, 80f) <= 2.0);
        assertTrue(maxUlps(ExactMath::exp, Math::exp, -1f, 1f) <= 2.0);
    }

    @Test
    void tanhIsWithinThreeUlps() {
        assertTrue(maxUlps(ExactMath::tanh, Math::tanh, -0.7f, 0.7f) <= 3.0, "near 0");
        assertTrue(maxUlps(ExactMath::tanh, Math::tanh, -12f, 12f) <= 3.0, "everywhere");
    }

    @Test
    void edgesAndNaN() {
        float[] in = new float[S.length()];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88.5f, -100f, 1e-30f};
        for (int i = 0; i < in.length; i++) {
            in[i] = special[i % special.length];
        }
        float[] e = new float[in.length];
        float[] t = new float[in.length];
        ExactMath.exp(FloatVector.fromArray(S, in, 0)).intoArray(e, 0);
        ExactMath.tanh(FloatVector.fromArray(S, in, 0)).intoArray(t, 0);
        for (int i = 0; i < in.length; i++) {
            if (Float.isNaN(in[i])) {
                assertTrue(Float.isNaN(e[i]) && Float.isNaN(t[i]), "NaN stays NaN");
                continue;
            }
            assertEquals((float) Math.exp(in[i]), e[i], 0f, "exp(" + in[i] + ")");
            assertEquals((float) Math.tanh(in[i]), t[i], Math.ulp((float) Math.tanh(in[i])) * 2, "tanh(" + in[i] + ")");
            assertEquals(Float.floatToIntBits((float) Math.tanh(in[i])) < 0, Float.floatToIntBits(t[i]) < 0,
                    "sign of tanh(" + in[i] + ")");
        }
        // a vector of ordinary values (no lane beyond 87) takes the polynomial, NaN lanes included
        float[] mixed = new float[S.length()];
        mixed[0] = Float.NaN;
        mixed[1] = 1f;
        ExactMath.exp(FloatVector.fromArray(S, mixed, 0)).intoArray(e, 0);
        assertTrue(Float.isNaN(e[0]));
        assertEquals((float) Math.E, e[1], Math.ulp((float) Math.E) * 2);
    }

    /** Row tails use the scalar twins: each must give exactly the vector lane's bits, wherever a row splits. */
    @Test
    void scalarTwinsGiveTheVectorsBits() {
        Random r = new Random(5);
        var sd = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED;
        float[] f = new float[S.length()];
        float[] fe = new float[f.length];
        float[] ft = new float[f.length];
        double[] d = new double[sd.length()];
        double[] de = new double[d.length];
        double[] derf = new double[d.length];
        double[] derfc = new double[d.length];
        for (int trial = 0; trial < 5000; trial++) {
            double scale = trial % 3 == 0 ? 100 : trial % 3 == 1 ? 5 : 0.6;
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
            }
            for (int i = 0; i < d.length; i++) {
                d[i] = (r.nextDouble() * 2 - 1) * scale * 8;
            }
            ExactMath.exp(FloatVector.fromArray(S, f, 0)).intoArray(fe, 0);
            ExactMath.tanh(FloatVector.fromArray(S, f, 0)).intoArray(ft, 0);
            var dv = jdk.incubator.vector.DoubleVector.fromArray(sd, d, 0);
            ExactMath.exp(dv).intoArray(de, 0);
            VectorErf.erf(dv).intoArray(derf, 0);
            VectorErf.erfc(dv).intoArray(derfc, 0);
            for (int i = 0; i < f.length; i++) {
                assertEquals(Float.floatToIntBits(ExactMath.exp(f[i])), Float.floatToIntBits(fe[i]), "exp(" + f[i] + ")");
                assertEquals(Float.floatToIntBits(ExactMath.tanh(f[i])), Float.floatToIntBits(ft[i]), "tanh(" + f[i] + ")");
            }
            for (int i = 0; i < d.length; i++) {
                assertEquals(Double.doubleToLongBits(ExactMath.exp(d[i])), Double.doubleToLongBits(de[i]), "exp(" + d[i] + ")");
                assertEquals(Double.doubleToLongBits(VectorErf.erf(d[i])), Double.doubleToLongBits(derf[i]), "erf(" + d[i] + ")");
                assertEquals(Double.doubleToLongBits(VectorErf.erfc(d[i])), Double.doubleToLongBits(derfc[i]),
                        "erfc(" + d[i] + ")");
                double got = ExactMath.exp(d[i]);
                double want = Math.exp(d[i]);
                assertTrue(got == want || Math.abs(got - want) <= 2 * Math.ulp(want), "exp(" + d[i] + "): " + got + " vs " + want);
            }
        }
    }
}
