package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.nn.functional.Pooling;
import dev.ember.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one-pass float32 max pool ({@link CpuPool}) against its plain-loop twin written here from PyTorch's kernel
 * (each window's first largest element or first NaN, positions outside the input skipped, the gradient added at
 * the winner): padding, dilation, ceil mode, overlapping windows, ties, NaN, -inf, a non-contiguous input, and
 * 1 to 3 threads. Max is exact, so outputs and gradients must match bit for bit.
 */
class CpuPoolTest {
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    private record Case(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                        boolean ceil) {
    }

    private static final Case[] CASES = {
        new Case(3, 6, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1, false), // LeNet's
        new Case(2, 3, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, false), // overlapping, padded
        new Case(1, 2, 10, 7, 3, 2, 2, 1, 1, 1, 2, 3, false), // dilated, asymmetric
        new Case(2, 2, 7, 9, 2, 3, 2, 2, 1, 0, 1, 1, true), // ceil mode: the last windows hang over the end
        new Case(1, 1, 5, 33, 3, 3, 1, 1, 1, 1, 1, 1, false), // stride 1: rows longer than a vector
    };

    @Test
    void matchesThePlainLoops() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int threads : new int[] {1, 3}) {
            Parallel.setNumThreads(threads);
            for (int i = 0; i < CASES.length; i++) {
                check(CASES[i], i % 2 == 1, rnd, "case " + i + " threads " + threads);
            }
        }
    }

    private static int out(int size, int k, int s, int p, int d, boolean ceil) {
        int o = Math.floorDiv(size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        return ceil && (o - 1) * s >= size + p ? o - 1 : o;
    }

    private static void check(Case k, boolean view, SplittableRandom rnd, String what) {
        int size = k.n * k.c * k.h * k.w;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            // few distinct values, so ties are common; some NaN and -inf
            int r = rnd.nextInt(40);
            v[i] = r == 0 ? Float.NaN : r == 1 ? Float.NEGATIVE_INFINITY : rnd.nextInt(5);
        }
        // the view: data stored (N, H, C, W) and permuted into (N, C, H, W)
        Tensor stored = view ? Tensor.of(v, k.n, k.h, k.c, k.w) : Tensor.of(v, k.n, k.c, k.h, k.w);
        Tensor x = (view ? stored.permute(0, 2, 1, 3) : stored).detach().requiresGrad(true);
        float[] xv = x.contiguous().toFloatArray();
        Tensor y = Pooling.maxPool2d(x, new long[] {k.kh, k.kw}, new long[] {k.sh, k.sw}, new long[] {k.ph, k.pw},
                new long[] {k.dh, k.dw}, k.ceil);
        assertEquals("MaxPool2DWithIndicesBackward0", y.gradFn().name(), what + ": the one-pass kernel did not run");
        int oh = out(k.h, k.kh, k.sh, k.ph, k.dh, k.ceil);
        int ow = out(k.w, k.kw, k.sw, k.pw, k.dw, k.ceil);
        float[] g = new float[k.n * k.c * oh * ow];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextInt(1, 9);
        }
        y.mul(Tensor.of(g, k.n, k.c, oh, ow)).sum().backward();

        float[] yRef = new float[g.length];
        float[] gxRef = new float[size];
        for (int p = 0, o = 0; p < k.n * k.c; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++, o++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int a = 0; a < k.kh; a++) {
                        int r = i * k.sh - k.ph + a * k.dh;
                        for (int b = 0; b < k.kw; b++) {
                            int col = j * k.sw - k.pw + b * k.dw;
                            if (r < 0 || r >= k.h || col < 0 || col >= k.w) {
                                continue;
                            }
                            float e = xv[p * k.h * k.w + r * k.w + col];
                            if (at < 0 || e > best || (Float.isNaN(e) && !Float.isNaN(best))) {
                                best = e;
                                at = p * k.h * k.w + r * k.w + col;
                            }
                        }
                    }
                    yRef[o] = best;
                    gxRef[at] += g[o];
                }
            }
        }
        assertArrayEquals(yRef, y.toFloatArray(), what + " output");
        assertArrayEquals(gxRef, x.grad().contiguous().toFloatArray(), what + " input gradient");
    }
}
