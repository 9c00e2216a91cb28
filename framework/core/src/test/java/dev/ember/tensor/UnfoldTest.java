package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im (the backend's one-pass kernels and the composite of strided copies behind convolutions and
 * pools) against plain loops written from their definition and against each other, on random window parameters,
 * odd sizes, both float dtypes and non-contiguous views; and col2im as the adjoint of im2col.
 */
class UnfoldTest {

    /** Random window parameters with at least one block position in each dim. */
    private record Params(int n, int c, int h, int w, long[] k, long[] d, long[] p, long[] s) {
        static Params random(Random r) {
            while (true) {
                long[] k = {1 + r.nextInt(3), 1 + r.nextInt(4)};
                long[] d = {1 + r.nextInt(2), 1 + r.nextInt(3)};
                long[] p = {r.nextInt(3), r.nextInt(2)};
                long[] s = {1 + r.nextInt(3), 1 + r.nextInt(2)};
                Params q = new Params(1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(7), 1 + r.nextInt(8), k, d, p, s);
                if (q.blocks(0) >= 1 && q.blocks(1) >= 1) {
                    return q;
                }
            }
        }

        int blocks(int i) {
            int size = i == 0 ? h : w;
            return (int) Math.floorDiv(size + 2 * p[i] - d[i] * (k[i] - 1) - 1, s[i]) + 1;
        }
    }

    /** im2col from its definition, on a row-major copy of x. */
    private static double[] referenceIm2col(double[] x, Params q) {
        int bh = q.blocks(0);
        int bw = q.blocks(1);
        int kk = (int) (q.k[0] * q.k[1]);
        double[] out = new double[q.n * q.c * kk * bh * bw];
        for (int n = 0; n < q.n; n++) {
            for (int c = 0; c < q.c; c++) {
                for (int kh = 0; kh < q.k[0]; kh++) {
                    for (int kw = 0; kw < q.k[1]; kw++) {
                        for (int i = 0; i < bh; i++) {
                            for (int j = 0; j < bw; j++) {
                                long y = i * q.s[0] - q.p[0] + kh * q.d[0];
                                long z = j * q.s[1] - q.p[1] + kw * q.d[1];
                                int row = c * kk + kh * (int) q.k[1] + kw;
                                int idx = ((n * q.c * kk + row) * bh + i) * bw + j;
                                out[idx] = y < 0 || y >= q.h || z < 0 || z >= q.w ? 0
                                        : x[((n * q.c + c) * q.h + (int) y) * q.w + (int) z];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** col2im from its definition: every column entry added to the position im2col read it from. */
    private static double[] referenceCol2im(double[] cols, Params q) {
        int bh = q.blocks(0);
        int bw = q.blocks(1);
        int kk = (int) (q.k[0] * q.k[1]);
        double[] out = new double[q.n * q.c * q.h * q.w];
        for (int n = 0; n < q.n; n++) {
            for (int c = 0; c < q.c; c++) {
                for (int kh = 0; kh < q.k[0]; kh++) {
                    for (int kw = 0; kw < q.k[1]; kw++) {
                        for (int i = 0; i < bh; i++) {
                            for (int j = 0; j < bw; j++) {
                                long y = i * q.s[0] - q.p[0] + kh * q.d[0];
                                long z = j * q.s[1] - q.p[1] + kw * q.d[1];
                                if (y >= 0 && y < q.h && z >= 0 && z < q.w) {
                                    int row = c * kk + kh * (int) q.k[1] + kw;
                                    out[((n * q.c + c) * q.h + (int) y) * q.w + (int) z] +=
                                            cols[((n * q.c * kk + row) * bh + i) * bw + j];
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The same values as a contiguous (N, C, H, W) tensor, laid out in memory in one of several ways. */
    private static Tensor layout(Tensor x, int kind) {
        long[] sh = x.shape();
        return switch (kind) {
            case 0 -> x;
            case 1 -> x.transpose(2, 3).contiguous().transpose(2, 3); // W-major
            case 2 -> x.permute(1, 0, 3, 2).contiguous().permute(1, 0, 3, 2); // channels outermost
            default -> { // a window of a larger tensor: offset and padded row strides
                Tensor big = Tensor.zeros(x.dtype(), sh[0] + 1, sh[1], sh[2] + 2, sh[3] + 3);
                Tensor view = big.narrow(0, 1, sh[0]).narrow(2, 2, sh[2]).narrow(3, 1, sh[3]);
                view.copyi(x);
                yield view;
            }
        };
    }

    @Test
    void im2colAndCol2imMatchPlainLoops() {
        Random r = new Random(7);
        Ember.manualSeed(7);
        for (int trial = 0; trial < 60; trial++) {
            Params q = Params.random(r);
            DType dtype = trial % 2 == 0 ? DType.FLOAT64 : DType.FLOAT32;
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
            Tensor x = Tensor.randn(dtype, q.n, q.c, q.h, q.w);
            Tensor view = layout(x, trial % 4);
            Tensor cols = view.im2col(q.k, q.d, q.p, q.s);
            int kk = (int) (q.k[0] * q.k[1]);
            assertArrayEquals(new long[] {q.n, (long) q.c * kk, (long) q.blocks(0) * q.blocks(1)}, cols.shape());
            assertEquals(dtype, cols.dtype());
            assertArrayEquals(referenceIm2col(x.toDoubleArray(), q), cols.toDoubleArray(), tol, q.toString());
            // the backend's one-pass kernel and the composite of strided copies, bit for bit
            Tensor composite = Unfold.im2col(view, q.k, q.d, q.p, q.s, false);
            assertArrayEquals(composite.toDoubleArray(), cols.toDoubleArray(), 0, "im2col twins " + q);

            Tensor g = Tensor.randn(dtype, cols.shape());
            Tensor gView = trial % 3 == 0 ? g.transpose(1, 2).contiguous().transpose(1, 2) : g;
            Tensor img = gView.col2im(new long[] {q.h, q.w}, q.k, q.d, q.p, q.s);
            assertArrayEquals(new long[] {q.n, q.c, q.h, q.w}, img.shape());
            assertArrayEquals(referenceCol2im(g.toDoubleArray(), q), img.toDoubleArray(), tol * kk, q.toString());
            Tensor imgComposite = Unfold.col2im(gView, new long[] {q.h, q.w}, q.k, q.d, q.p, q.s, false);
            assertArrayEquals(imgComposite.toDoubleArray(), img.toDoubleArray(), 0, "col2im twins " + q);
        }
    }

    @Test
    void windowsLargerThanTheImage() {
        // tiny images under big padded, strided, dilated windows (EfficientNet's 5x5 stride-2 convolutions on 1x1
        // or 2x2 maps): many kernel offsets see only padding
        Random r = new Random(3);
        Ember.manualSeed(3);
        for (int trial = 0; trial < 300; trial++) {
            long[] k = {1 + r.nextInt(5), 1 + r.nextInt(5)};
            long[] p = {r.nextInt((int) k[0] / 2 + 1), r.nextInt((int) k[1] / 2 + 1)};
            Params q = new Params(1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(3), k,
                    new long[] {1 + r.nextInt(2), 1 + r.nextInt(2)}, p, new long[] {1 + r.nextInt(3), 1 + r.nextInt(3)});
            if (q.blocks(0) < 1 || q.blocks(1) < 1) {
                continue;
            }
            Tensor x = Tensor.randn(DType.FLOAT32, q.n, q.c, q.h, q.w);
            Tensor cols = x.im2col(q.k, q.d, q.p, q.s);
            assertArrayEquals(referenceIm2col(x.toDoubleArray(), q), cols.toDoubleArray(), 0, q.toString());
            assertArrayEquals(Unfold.im2col(x, q.k, q.d, q.p, q.s, false).toDoubleArray(), cols.toDoubleArray(), 0);
            Tensor img = cols.col2im(new long[] {q.h, q.w}, q.k, q.d, q.p, q.s);
            assertArrayEquals(referenceCol2im(cols.toDoubleArray(), q), img.toDoubleArray(), 1e-5, q.toString());
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        Random r = new Random(11);
        Ember.manualSeed(11);
        for (int trial = 0; trial < 20; trial++) {
            Params q = Params.random(r);
            Tensor x = Tensor.randn(DType.FLOAT64, q.n, q.c, q.h, q.w);
            Tensor cols = x.im2col(q.k, q.d, q.p, q.s);
            Tensor y = Tensor.randn(DType.FLOAT64, cols.shape());
            double lhs = cols.mul(y).sum().item();
            double rhs = x.mul(y.col2im(new long[] {q.h, q.w}, q.k, q.d, q.p, q.s)).sum().item();
            assertEquals(lhs, rhs, 1e-10 * (1 + Math.abs(lhs)), q.toString());
        }
    }

    @Test
    void gradientsFlowThroughBothDirections() {
        Tensor x = Tensor.randn(DType.FLOAT64, 1, 2, 4, 5).requiresGrad(true);
        long[] k = {2, 3};
        long[] one = {1, 1};
        Tensor cols = x.im2col(k, one, one, new long[] {2, 1});
        assertEquals("Im2ColBackward0", cols.gradFn().name());
        Tensor back = cols.col2im(new long[] {4, 5}, k, one, one, new long[] {2, 1});
        assertEquals("Col2ImBackward0", back.gradFn().name());
        back.sum().backward();
        // d/dx sum(col2im(im2col(x))) = col2im(im2col(ones)): how many windows cover each element
        Tensor counts = Tensor.ones(DType.FLOAT64, 1, 2, 4, 5).im2col(k, one, one, new long[] {2, 1})
                .col2im(new long[] {4, 5}, k, one, one, new long[] {2, 1});
        assertArrayEquals(counts.toDoubleArray(), x.grad().toDoubleArray(), 0);
        assertTrue(x.grad().toDoubleArray()[0] > 0);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(1, 1, 3, 3);
        long[] one = {1, 1};
        var e = assertThrows(IllegalArgumentException.class,
                () -> x.im2col(new long[] {4, 4}, one, new long[] {0, 0}, one));
        assertTrue(e.getMessage().startsWith("im2col: given input with spatial size (3, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 3).im2col(one, one, one, one));
        assertTrue(e.getMessage().contains("expected a 4-D input (N, C, H, W), got shape [3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.im2col(new long[] {0, 1}, one, one, one));
        assertTrue(e.getMessage().contains("kernel_size should be greater than zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(1, 4, 5).col2im(new long[] {3, 3}, new long[] {2, 2}, one, new long[] {0, 0}, one));
        assertTrue(e.getMessage().contains("expected size of input's dimension 2 to match the calculated number of "
                + "sliding blocks 2 * 2 = 4, but got shape [1, 4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(1, 5, 4).col2im(new long[] {3, 3}, new long[] {2, 2}, one, new long[] {0, 0}, one));
        assertTrue(e.getMessage().contains("divisible by the product of kernel_size (4)"), e.getMessage());
    }
}
