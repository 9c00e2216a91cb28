package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.CompareOp;
import dev.ember.backend.UnaryOp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API row kernels ({@link FloatRows}, {@link DoubleRows}, {@link ReduceRows}) against the scalar
 * reference formulas of {@link UnaryOp}, {@link BinaryOp} and {@link CompareOp}, element by element, on random
 * values mixed with NaN, infinities, signed zeros and tiny and huge magnitudes, at lengths around the vector
 * width (0, 1, 7, 15, 16, 17, 31, 33, 100, 1000) and odd offsets. + - * / sqrt max min, comparisons and selects
 * must match exactly; exp, log, tanh, sigmoid, sin and cos within a few ulp.
 */
class RowKernelsTest {
    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1000};
    private static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0,
        -0.0, 1e-30, -1e-30, 1e30, -1e30, 88.5, -88.5, 100, -100, 710, -745, 1, -1, 0.5};

    private static double[] values(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            v[i] = kind == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
                    : kind < 3 ? rnd.nextDouble(-30, 30) : rnd.nextGaussian() * 3;
        }
        return v;
    }

    private static float[] floats(double[] v, int pad) {
        float[] f = new float[v.length + pad];
        for (int i = 0; i < v.length; i++) {
            f[pad + i] = (float) v[i];
        }
        return f;
    }

    private static double[] doubles(double[] v, int pad) {
        double[] d = new double[v.length + pad];
        System.arraycopy(v, 0, d, pad, v.length);
        return d;
    }

    private static boolean exactUnary(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SQRT, SIGN -> true;
            default -> false;
        };
    }

    /** want vs got: same NaN-ness, same infinity, else within {@code ulps} ulps of want (or an absolute floor). */
    private static void close(double want, double got, double ulp, double ulps, String what) {
        if (Double.isNaN(want) || Double.isInfinite(want) || ulps == 0) {
            assertEquals(want, got, 0.0, what);
            if (want == 0) {
                assertEquals(Double.doubleToRawLongBits(want) < 0, Double.doubleToRawLongBits(got) < 0,
                        "sign of zero: " + what);
            }
            return;
        }
        double tol = Math.max(ulps * ulp * Math.abs(want), ulps * ulp * 1e-30);
        assertTrue(Math.abs(want - got) <= tol, what + ": want " + want + ", got " + got);
    }

    @Test
    void unaryMatchesTheScalarFormulas() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : LENGTHS) {
                double[] v = values(rnd, n);
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT) {
                    for (int i = 0; i < n; i++) {
                        v[i] = Math.abs(v[i]); // mostly in the domain; the specials keep -0.0 and NaN
                    }
                }
                float[] xf = floats(v, 3);
                float[] yf = new float[n + 5];
                FloatRows.unary(op, xf, 3, yf, 5, n);
                double[] xd = doubles(v, 3);
                double[] yd = new double[n + 5];
                DoubleRows.unary(op, xd, 3, yd, 5, n);
                double ulps = exactUnary(op) ? 0 : 4;
                for (int i = 0; i < n; i++) {
                    String what = op + "(" + v[i] + ") at " + i + " of " + n;
                    double wantF = (float) op.apply(xf[3 + i]);
                    // float32 lanes: a few float ulps, and results below float's normal range compare absolutely
                    if (!exactUnary(op) && Math.abs(wantF) < 1e-37) {
                        assertTrue(Math.abs(wantF - yf[5 + i]) < 1e-37 || wantF == yf[5 + i], "float32 " + what);
                    } else {
                        close(wantF, yf[5 + i], 0x1p-23, ulps, "float32 " + what);
                    }
                    close(op.apply(xd[3 + i]), yd[5 + i], 0x1p-52, ulps, "float64 " + what);
                }
            }
        }
    }

    @Test
    void sigmoidStaysPositiveWhereFloatExpOverflows() {
        float[] x = new float[32];
        java.util.Arrays.fill(x, -100f);
        float[] y = new float[32];
        FloatRows.unary(UnaryOp.SIGMOID, x, 0, y, 0, 32);
        for (float v : y) {
            assertEquals(3.7835059e-44f, v, 1e-45f); // torch.sigmoid(torch.tensor(-100.)) in float32
        }
    }

    @Test
    void binaryMatchesExactlyForEveryBroadcastForm() {
        SplittableRandom rnd = new SplittableRandom(2);
        int[][] steps = {{1, 1}, {1, 0}, {0, 1}};
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] st : steps) {
                for (int n : LENGTHS) {
                    double[] a = values(rnd, Math.max(n, 1));
                    double[] b = values(rnd, Math.max(n, 1));
                    float[] af = floats(a, 1);
                    float[] bf = floats(b, 2);
                    float[] yf = new float[n + 3];
                    boolean done = FloatRows.binary(op, af, 1, st[0], bf, 2, st[1], yf, 3, n);
                    double[] ad = doubles(a, 1);
                    double[] bd = doubles(b, 2);
                    double[] yd = new double[n + 3];
                    boolean doneD = DoubleRows.binary(op, ad, 1, st[0], bd, 2, st[1], yd, 3, n);
                    assertEquals(op != BinaryOp.POW, done, op + " handled");
                    assertEquals(done, doneD);
                    if (!done) {
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        float fa = af[1 + i * st[0]];
                        float fb = bf[2 + i * st[1]];
                        String what = op + "(" + fa + ", " + fb + ") at " + i + " of " + n + " steps " + st[0] + st[1];
                        close((float) op.apply(fa, fb), yf[3 + i], 0, 0, "float32 " + what);
                        close(op.apply(ad[1 + i * st[0]], bd[2 + i * st[1]]), yd[3 + i], 0, 0, "float64 " + what);
                    }
                }
            }
        }
    }

    @Test
    void compareAndWhereMatchExactly() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[][] steps = {{1, 1}, {1, 0}, {0, 1}};
        for (CompareOp op : CompareOp.values()) {
            for (int[] st : steps) {
                for (int n : LENGTHS) {
                    double[] a = values(rnd, Math.max(n, 1));
                    double[] b = rnd.nextBoolean() ? a.clone() : values(rnd, Math.max(n, 1)); // ties included
                    float[] af = floats(a, 0);
                    float[] bf = floats(b, 0);
                    boolean[] yf = new boolean[n + 1];
                    boolean[] yd = new boolean[n + 1];
                    FloatRows.compare(op, af, 0, st[0], bf, 0, st[1], yf, 1, n);
                    DoubleRows.compare(op, a, 0, st[0], b, 0, st[1], yd, 1, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(op.test(af[i * st[0]], bf[i * st[1]]), yf[1 + i], op + " float32 at " + i);
                        assertEquals(op.test(a[i * st[0]], b[i * st[1]]), yd[1 + i], op + " float64 at " + i);
                    }
                    boolean[] cond = new boolean[n + 2];
                    for (int i = 0; i < cond.length; i++) {
                        cond[i] = rnd.nextBoolean();
                    }
                    float[] wf = new float[n];
                    double[] wd = new double[n];
                    FloatRows.where(cond, 2, af, 0, st[0], bf, 0, st[1], wf, 0, n);
                    DoubleRows.where(cond, 2, a, 0, st[0], b, 0, st[1], wd, 0, n);
                    for (int i = 0; i < n; i++) {
                        float wantF = cond[2 + i] ? af[i * st[0]] : bf[i * st[1]];
                        double wantD = cond[2 + i] ? a[i * st[0]] : b[i * st[1]];
                        assertEquals(Float.floatToRawIntBits(wantF), Float.floatToRawIntBits(wf[i]), "where float32");
                        assertEquals(Double.doubleToRawLongBits(wantD), Double.doubleToRawLongBits(wd[i]), "where float64");
                    }
                }
            }
        }
    }

    @Test
    void rowReductionsMatchPlainLoops() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int n : LENGTHS) {
            double[] v = new double[n];
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian() * 10;
                w[i] = rnd.nextGaussian();
            }
            float[] f = floats(v, 2);
            float[] g = floats(w, 2);
            double sumF = 0;
            double sumD = 0;
            double dotF = 0;
            double dotD = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                sumF += f[2 + i];
                sumD += v[i];
                dotF += (double) f[2 + i] * g[2 + i];
                dotD += v[i] * w[i];
                scale += Math.abs(v[i]) * (1 + Math.abs(w[i]));
            }
            double tol = 1e-13 * (scale + 1);
            assertEquals(sumF, ReduceRows.sum(f, 2, n), tol, "float32 sum, n " + n);
            assertEquals(sumD, ReduceRows.sum(doubles(v, 1), 1, n), tol, "float64 sum, n " + n);
            assertEquals(dotF, ReduceRows.dot(f, 2, g, 2, n), tol, "float32 dot, n " + n);
            assertEquals(dotD, ReduceRows.dot(v, 0, w, 0, n), tol, "float64 dot, n " + n);
            if (n > 0) {
                float maxF = Float.NEGATIVE_INFINITY;
                double minD = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    maxF = Math.max(maxF, f[2 + i]);
                    minD = Math.min(minD, v[i]);
                }
                assertEquals(maxF, ReduceRows.extreme(true, f, 2, n), 0f);
                assertEquals(minD, ReduceRows.extreme(false, v, 0, n), 0.0);
                // a NaN anywhere wins
                int at = rnd.nextInt(n);
                v[at] = Double.NaN;
                f[2 + at] = Float.NaN;
                assertTrue(Float.isNaN(ReduceRows.extreme(true, f, 2, n)), "NaN max, n " + n);
                assertTrue(Double.isNaN(ReduceRows.extreme(false, v, 0, n)), "NaN min, n " + n);
            }
        }
    }

    @Test
    void rowFoldsMatchPlainLoops() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n : LENGTHS) {
            double[] acc = new double[n + 1];
            float[] accF = new float[n + 1];
            double[] accD = new double[n + 1];
            double[] want = new double[n + 1];
            float[] wantF = new float[n + 1];
            double[] wantD = new double[n + 1];
            java.util.Arrays.fill(accF, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(wantF, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(accD, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(wantD, Double.POSITIVE_INFINITY);
            for (int r = 0; r < 3; r++) {
                double[] v = values(rnd, n);
                float[] f = floats(v, 1);
                ReduceRows.addInto(acc, 1, f, 1, n);
                ReduceRows.extremeInto(true, accF, 1, f, 1, n);
                ReduceRows.extremeInto(false, accD, 1, v, 0, n);
                for (int i = 0; i < n; i++) {
                    want[1 + i] += f[1 + i];
                    wantF[1 + i] = Math.max(wantF[1 + i], f[1 + i]);
                    wantD[1 + i] = Math.min(wantD[1 + i], v[i]);
                }
            }
            for (int i = 1; i <= n; i++) {
                assertEquals(want[i], acc[i], 0.0, "sum fold at " + i);
                assertEquals(wantF[i], accF[i], 0f, "max fold at " + i);
                assertEquals(wantD[i], accD[i], 0.0, "min fold at " + i);
            }
        }
    }

    /**
     * The same checks after the JIT has compiled the kernels: the tests above may run in the interpreter, where the
     * Vector API computes lane by lane in Java, while compiled code uses the CPU's instructions and vector math
     * library (whose max, min and transcendental functions must still follow the scalar semantics). C2 compiles the
     * kernels after several thousand calls; the last calls are all checked.
     */
    @Test
    void compiledKernelsStillMatch() {
        SplittableRandom rnd = new SplittableRandom(6);
        int n = 40; // two float32 vectors of 16 lanes and a tail; short, so the calls before compilation are cheap
        double[] v = values(rnd, n);
        double[] w = values(rnd, n);
        float[] vf = floats(v, 0);
        float[] wf = floats(w, 0);
        float[] yf = new float[n];
        double[] yd = new double[n];
        UnaryOp[] unary = {UnaryOp.RELU, UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.LOG, UnaryOp.ERF,
            UnaryOp.ERFC};
        BinaryOp[] binary = {BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.DIV};
        for (int rep = 0; rep < 16000; rep++) {
            UnaryOp op = unary[rep % unary.length];
            FloatRows.unary(op, vf, 0, yf, 0, n);
            DoubleRows.unary(op, v, 0, yd, 0, n);
            BinaryOp bop = binary[rep % binary.length];
            boolean check = rep % 256 == 0 || rep >= 15800;
            for (int i = 0; check && i < n; i++) {
                String what = op + "(" + v[i] + ") call " + rep;
                double wantF = (float) op.apply(vf[i]);
                if (Math.abs(wantF) < 1e-37) {
                    assertTrue(Math.abs(wantF - yf[i]) < 1e-37 || wantF == yf[i], "float32 " + what);
                } else {
                    close(wantF, yf[i], 0x1p-23, op == UnaryOp.RELU ? 0 : 4, "float32 " + what);
                }
                close(op.apply(v[i]), yd[i], 0x1p-52, op == UnaryOp.RELU ? 0 : 4, "float64 " + what);
            }
            FloatRows.binary(bop, vf, 0, 1, wf, 0, 1, yf, 0, n);
            DoubleRows.binary(bop, v, 0, 1, w, 0, 1, yd, 0, n);
            for (int i = 0; check && i < n; i++) {
                int j = i;
                close((float) bop.apply(vf[i], wf[j]), yf[i], 0, 0, "float32 " + bop + " call " + rep);
                close(bop.apply(v[i], w[j]), yd[i], 0, 0, "float64 " + bop + " call " + rep);
            }
        }
    }
}
