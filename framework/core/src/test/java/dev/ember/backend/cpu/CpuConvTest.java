package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.Window2d;
import dev.ember.nn.functional.Convolutions;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct float32 convolution ({@link CpuConv}: forward, input and weight gradients) against its plain-loop
 * twin, seven nested loops in double precision written here from the definition, on random inputs: output rows
 * shorter than, equal to and longer than a vector, filter counts around the micro-tile's 6 rows and the weight
 * kernel's 4, padding larger than the dilated kernel (the input gradient then crops), dilation, asymmetric
 * kernels, non-contiguous input and weight views, inputs that do not need a gradient, and 1 to 3 threads, so
 * every work split runs even on two cores. The 3x3 cases with enough channels run through {@link CpuWinograd}
 * (forward and input gradient), including outputs of odd size, whose last tiles hang over the edge.
 */
class CpuConvTest {
    private final int savedThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    /** One case: batch, channels in/out, image, kernel, padding, dilation. */
    private record Case(int n, int cin, int cout, int h, int w, int kh, int kw, int ph, int pw, int dh, int dw) {
        int oh() {
            return h + 2 * ph - dh * (kh - 1);
        }

        int ow() {
            return w + 2 * pw - dw * (kw - 1);
        }
    }

    private static final Case[] CASES = {
        new Case(2, 1, 6, 28, 28, 5, 5, 2, 2, 1, 1), // LeNet's first layer
        new Case(3, 6, 16, 14, 14, 5, 5, 0, 0, 1, 1), // its second: 10-wide rows
        new Case(1, 3, 7, 9, 17, 3, 3, 1, 1, 1, 1), // 17 wide: one whole segment and one of a lane
        new Case(2, 2, 5, 6, 33, 3, 2, 0, 1, 1, 2), // asymmetric kernel, dilated columns
        new Case(1, 4, 13, 7, 16, 3, 3, 3, 2, 2, 1), // padding beyond the dilated kernel: the input gradient crops
        new Case(5, 3, 4, 4, 31, 1, 1, 0, 0, 1, 1), // 1x1
        new Case(1, 2, 1, 3, 9, 2, 4, 1, 3, 1, 1), // one filter, rows of 9 + 6 - 3 = 12
        new Case(2, 5, 9, 12, 40, 3, 5, 2, 2, 2, 1), // 40 wide: two whole segments and one of 8
        // 3x3 over enough channels: Winograd F(2x2, 3x3) both ways (the input gradient pads by 2 - p)
        new Case(2, 16, 17, 7, 9, 3, 3, 1, 1, 1, 1), // odd output: tiles that hang over the bottom and right
        new Case(1, 19, 16, 10, 37, 3, 3, 0, 0, 1, 1), // no padding: 8 x 35 outputs, rows wider than a vector
        new Case(3, 17, 18, 6, 6, 3, 3, 2, 2, 1, 1), // padding 2: the input gradient has none
    };

    @Test
    void matchesThePlainLoopsOnOneAndThreeThreads() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int threads : new int[] {1, 3}) {
            Parallel.setNumThreads(threads);
            for (int i = 0; i < CASES.length; i++) {
                check(CASES[i], i % 2 == 1, i % 3 == 2, i != 5, rnd, "case " + i + " threads " + threads);
            }
        }
    }

    @Test
    void winogradTakesTheThreeByThreeCasesWithEnoughChannels() {
        for (int i = 8; i < CASES.length; i++) {
            Case c = CASES[i];
            assertTrue(CpuWinograd.supports(c.kh, c.kw, c.dh, c.dw, c.ph, c.pw, c.cin, c.cout), "case " + i);
            assertTrue(CpuWinograd.supports(c.kh, c.kw, c.dh, c.dw, 2 - c.ph, 2 - c.pw, c.cout, c.cin),
                    "case " + i + ", input gradient");
        }
        assertFalse(CpuWinograd.supports(3, 3, 1, 1, 1, 1, 6, 16), "LeNet-sized channel counts run directly");
        assertFalse(CpuWinograd.supports(3, 3, 2, 2, 1, 1, 64, 64), "dilated");
        assertFalse(CpuWinograd.supports(3, 3, 1, 1, 3, 3, 64, 64), "padding 3: the input gradient would crop");
        assertFalse(CpuWinograd.supports(5, 5, 1, 1, 2, 2, 64, 64), "5x5");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (Case c : new Case[] {new Case(7, 5, 11, 13, 21, 3, 3, 1, 1, 1, 1),
            new Case(5, 16, 17, 9, 11, 3, 3, 1, 1, 1, 1)}) {
            Tensor[] one = run(c, 1, 42);
            Tensor[] three = run(c, 3, 42);
            for (int i = 0; i < one.length; i++) {
                assertTrue(java.util.Arrays.equals(one[i].toFloatArray(), three[i].toFloatArray()),
                        "result " + i + " differs between 1 and 3 threads: " + c);
            }
        }
    }

    @Test
    void anInfiniteInputReachesOnlyTheTapsThatSeeIt() {
        // rows of 20 outputs (a whole segment and a partial one): the partial segment's spare lanes read the
        // inf in the last column for taps that never see it at a real output position
        Case c = new Case(1, 1, 2, 3, 22, 1, 3, 0, 0, 1, 1);
        float[] xv = new float[c.h * c.w];
        java.util.Arrays.fill(xv, 0.5f);
        xv[c.w - 1] = Float.POSITIVE_INFINITY; // row 0, last column: only the last tap (kw = 2) reads it
        Tensor x = Tensor.of(xv, 1, 1, c.h, c.w);
        Tensor w = Tensor.ones(DType.FLOAT32, c.cout, 1, 1, 3).requiresGrad(true);
        Tensor y = Convolutions.conv2d(x, w, null, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1);
        assertEquals("ConvolutionBackward0", y.gradFn().name());
        y.sum().backward();
        float[] gw = w.grad().toFloatArray(); // (2, 1, 1, 3)
        for (int co = 0; co < c.cout; co++) {
            assertEquals(0.5f * c.h * c.ow(), gw[co * 3], "filter " + co + " tap 0");
            assertEquals(0.5f * c.h * c.ow(), gw[co * 3 + 1], "filter " + co + " tap 1");
            assertEquals(Float.POSITIVE_INFINITY, gw[co * 3 + 2], "filter " + co + " tap 2");
        }
    }

    @Test
    void declinesWhatItDoesNotCover() {
        Strided4 x = new Strided4(DType.FLOAT32, 1, 2, 8, 8);
        Strided4 w = new Strided4(DType.FLOAT32, 3, 2, 3, 3);
        assertTrue(CpuConv.supports(x.s(), w.s(), new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 8, 8)));
        assertFalse(CpuConv.supports(x.s(), w.s(), new Window2d(3, 3, 1, 1, 1, 1, 2, 2, 4, 4)), "stride 2");
        assertFalse(CpuConv.supports(new Strided4(DType.FLOAT64, 1, 2, 8, 8).s(),
                new Strided4(DType.FLOAT64, 3, 2, 3, 3).s(), new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 8, 8)), "float64");
        // rows of 5 outputs would use 5 of 16 (AVX-512) or 8 (AVX2) lanes
        assertFalse(CpuConv.supports(x.s(), w.s(), new Window2d(3, 3, 1, 1, 0, 0, 1, 1, 6, 5)), "narrow rows");
    }

    private record Strided4(DType dtype, int a, int b, int c, int d) {
        dev.ember.backend.Strided s() {
            return Tensor.zeros(dtype, a, b, c, d).strided();
        }
    }

    private static Tensor[] run(Case c, int threads, long seed) {
        Parallel.setNumThreads(threads);
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor x = random(rnd, c.n, c.cin, c.h, c.w).requiresGrad(true);
        Tensor w = random(rnd, c.cout, c.cin, c.kh, c.kw).requiresGrad(true);
        Tensor b = random(rnd, c.cout).requiresGrad(true);
        Tensor y = conv(x, w, b, c);
        y.mul(random(rnd, c.n, c.cout, c.oh(), c.ow())).sum().backward();
        return new Tensor[] {y, x.grad(), w.grad(), b.grad()};
    }

    private static Tensor conv(Tensor x, Tensor w, Tensor b, Case c) {
        return Convolutions.conv2d(x, w, b, new long[] {1, 1}, new long[] {c.ph, c.pw}, new long[] {c.dh, c.dw}, 1);
    }

    private static Tensor random(SplittableRandom rnd, long... shape) {
        int size = 1;
        for (long s : shape) {
            size *= (int) s;
        }
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return Tensor.of(v, shape);
    }

    private static void check(Case c, boolean viewX, boolean viewW, boolean xGrad, SplittableRandom rnd, String what) {
        // a view: the data stored (N, H, C, W) or (kH, Cout, Cin, kW) and permuted into place
        Tensor x = viewX ? random(rnd, c.n, c.h, c.cin, c.w).permute(0, 2, 1, 3) : random(rnd, c.n, c.cin, c.h, c.w);
        Tensor w = viewW ? random(rnd, c.kh, c.cout, c.cin, c.kw).permute(1, 2, 0, 3)
                : random(rnd, c.cout, c.cin, c.kh, c.kw);
        Tensor b = random(rnd, c.cout);
        Tensor g = random(rnd, c.n, c.cout, c.oh(), c.ow());
        Tensor xl = x.detach().requiresGrad(xGrad);
        Tensor wl = w.detach().requiresGrad(true);
        Tensor bl = b.detach().requiresGrad(true);
        Tensor y = conv(xl, wl, bl, c);
        assertEquals("ConvolutionBackward0", y.gradFn().name(), what + ": the direct kernels did not run");
        y.mul(g).sum().backward();

        double[] xd = x.contiguous().toDoubleArray();
        double[] wd = w.contiguous().toDoubleArray();
        double[] bd = b.toDoubleArray();
        double[] gd = g.toDoubleArray();
        double[] yRef = new double[c.n * c.cout * c.oh() * c.ow()];
        double[] gxRef = new double[xd.length];
        double[] gwRef = new double[wd.length];
        double[] gbRef = new double[c.cout];
        for (int n = 0; n < c.n; n++) {
            for (int co = 0; co < c.cout; co++) {
                for (int oh = 0; oh < c.oh(); oh++) {
                    for (int ow = 0; ow < c.ow(); ow++) {
                        int yi = ((n * c.cout + co) * c.oh() + oh) * c.ow() + ow;
                        double sum = bd[co];
                        gbRef[co] += gd[yi];
                        for (int ci = 0; ci < c.cin; ci++) {
                            for (int kh = 0; kh < c.kh; kh++) {
                                int ih = oh - c.ph + kh * c.dh;
                                for (int kw = 0; kw < c.kw; kw++) {
                                    int iw = ow - c.pw + kw * c.dw;
                                    if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) {
                                        continue;
                                    }
                                    int xi = ((n * c.cin + ci) * c.h + ih) * c.w + iw;
                                    int wi = ((co * c.cin + ci) * c.kh + kh) * c.kw + kw;
                                    sum += wd[wi] * xd[xi];
                                    gxRef[xi] += wd[wi] * gd[yi];
                                    gwRef[wi] += xd[xi] * gd[yi];
                                }
                            }
                        }
                        yRef[yi] = sum;
                    }
                }
            }
        }
        close(yRef, y.toDoubleArray(), what + " output");
        if (xGrad) {
            close(gxRef, xl.grad().toDoubleArray(), what + " input gradient");
        } else {
            assertEquals(null, xl.grad(), what + ": an input without requiresGrad got a gradient");
        }
        close(gwRef, wl.grad().toDoubleArray(), what + " weight gradient");
        close(gbRef, bl.grad().toDoubleArray(), what + " bias gradient");
    }

    /** float32 sums of up to a few thousand terms of magnitude 1: within 1e-5 of the largest magnitude. */
    private static void close(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double scale = 1;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-5 * scale) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }
}
