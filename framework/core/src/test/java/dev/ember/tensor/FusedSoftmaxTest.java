package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.cpu.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * softmax and logSoftmax along the last dim run fused kernels forward and backward; their composite twins
 * ({@link Reductions#softmaxComposite}, {@link Reductions#logSoftmaxComposite}) are the reference: values and
 * gradients on random inputs of odd sizes, non-contiguous inputs, rows with infinities, both float dtypes. Also
 * the element-wise kernels' thread split: the same results with 1, 2 and 3 threads.
 */
class FusedSoftmaxTest {
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    private static Tensor random(DType dtype, SplittableRandom rnd, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * 4;
        }
        return Tensor.of(dtype, v, shape);
    }

    private static void close(Tensor want, Tensor got, double rtol, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            if (Double.isNaN(w[i]) || Double.isInfinite(w[i])) {
                assertEquals(w[i], g[i], 0.0, what + " at " + i);
            } else {
                assertEquals(w[i], g[i], rtol * (Math.abs(w[i]) + 1e-3),
                        what + " at " + i + ": " + w[i] + " vs " + g[i]);
            }
        }
    }

    /** |got - exact| within twice the composite's error, or 8 float32 ulps of the largest gradient (PyTorch's own
     * formulas, which the fused kernels follow, lose that much where the composite happens to lose less). */
    private static void noWorse(Tensor exact, Tensor composite, Tensor got, String what) {
        double[] e = exact.toDoubleArray();
        double[] c = composite.toDoubleArray();
        double[] g = got.toDoubleArray();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            double allowed = Math.max(2 * Math.abs(c[i] - e[i]), 1e-6 * scale);
            assertTrue(Math.abs(g[i] - e[i]) <= allowed, what + " at " + i + ": exact " + e[i] + ", composite "
                    + c[i] + ", fused " + g[i]);
        }
    }

    @Test
    void fusedMatchesCompositeValuesAndGradients() {
        SplittableRandom rnd = new SplittableRandom(11);
        long[][] shapes = {{1}, {7}, {3, 17}, {5, 1, 33}, {2, 3, 100}, {40, 7}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 2e-6 : 1e-13;
            for (long[] shape : shapes) {
                for (boolean transposed : new boolean[] {false, true}) {
                    for (boolean log : new boolean[] {false, true}) {
                        Tensor base = random(dtype, rnd, shape);
                        // a non-contiguous input: the same values laid out transposed in storage
                        Tensor x = !transposed || shape.length < 2 ? base
                                : base.transpose(0, -1).contiguous().transpose(0, -1);
                        Tensor a = x.detach().requiresGrad(true);
                        Tensor b = x.detach().requiresGrad(true);
                        int last = shape.length - 1;
                        Tensor fused = log ? a.logSoftmax(-1) : a.softmax(-1);
                        Tensor composite = log ? Reductions.logSoftmaxComposite(b, last)
                                : Reductions.softmaxComposite(b, last);
                        String what = (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(shape) + " "
                                + dtype + (transposed ? " transposed" : "");
                        assertEquals(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", fused.gradFn().name());
                        close(composite, fused, rtol, what);
                        Tensor gy = random(dtype, rnd, shape);
                        fused.backward(gy);
                        composite.backward(gy);
                        if (dtype == DType.FLOAT64) {
                            close(b.grad(), a.grad(), rtol * 10, what + " gradient");
                        } else {
                            // float32 gradients cancel (gy - sum(gy y)): both are judged against float64 maths on
                            // the same values, the fused one no worse than the composite
                            Tensor r = x.toDouble().requiresGrad(true);
                            Tensor ry = log ? Reductions.logSoftmaxComposite(r, last)
                                    : Reductions.softmaxComposite(r, last);
                            ry.backward(gy.toDouble());
                            noWorse(r.grad(), b.grad(), a.grad(), what + " gradient");
                        }
                    }
                }
            }
        }
    }

    @Test
    void rowsWithInfinitiesMatchTheComposite() {
        double inf = Double.POSITIVE_INFINITY;
        double[] v = {1, -inf, 2, 3, -inf, -inf, -inf, -inf, 5, inf, 1, 2, Double.NaN, 1, 2, 3};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(dtype, v, 4, 4);
            close(Reductions.softmaxComposite(x, 1), x.softmax(1), 1e-6, "softmax with infinities " + dtype);
            close(Reductions.logSoftmaxComposite(x, 1), x.logSoftmax(1), 1e-6, "logSoftmax with infinities " + dtype);
        }
    }

    @Test
    void otherDimsStillUseTheComposite() {
        Tensor x = random(DType.FLOAT64, new SplittableRandom(12), 3, 4, 5).requiresGrad(true);
        Tensor y = x.softmax(1);
        // the composite's last op is the division by the sum
        assertEquals("DivBackward0", y.gradFn().name());
        close(Reductions.softmaxComposite(x, 1), y, 1e-14, "softmax(dim 1)");
    }

    @Test
    void elementwiseResultsDoNotDependOnTheThreadCount() {
        SplittableRandom rnd = new SplittableRandom(13);
        // large enough to split: 3 x 70001 floats, a broadcast row, a scalar, a strided view
        Tensor a = random(DType.FLOAT32, rnd, 3, 70001);
        Tensor row = random(DType.FLOAT32, rnd, 70001);
        Tensor t = random(DType.FLOAT64, rnd, 401, 301).transpose(0, 1);
        Tensor[] want = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setNumThreads(threads);
            Tensor[] got = {a.add(row), a.mul(2.5), a.exp(), a.gt(row), Tensor.where(a.gt(0.0), a, row), t.tanh(),
                t.contiguous(), a.sum(1, false), a.amax(new int[] {0}, false), t.sum(0, false)};
            if (want == null) {
                want = got;
            } else {
                for (int i = 0; i < got.length; i++) {
                    assertArrayEquals(want[i].toDoubleArray(), got[i].toDoubleArray(), 0.0,
                            "result " + i + " with " + threads + " threads");
                }
            }
        }
        // and the values are right: a + row broadcast, checked at a few places against plain arithmetic
        double[] av = a.toDoubleArray();
        double[] rv = row.toDoubleArray();
        double[] sum = want[0].toDoubleArray();
        for (int i : new int[] {0, 1, 70000, 70001, 140003, 210002}) {
            assertEquals((float) ((float) av[i] + (float) rv[i % 70001]), sum[i], 0.0);
        }
        assertTrue(want[3].dtype() == DType.BOOL);
    }
}
