package dev.ember.tensor;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.Strided;
import java.util.Arrays;

/**
 * Sliding 2-D windows: {@link #im2col} (PyTorch's {@code F.unfold}) copies every kernel-sized block of a
 * (N, C, H, W) input into a column, and {@link #col2im} ({@code F.fold}) adds columns back into an image.
 * Each is the other's adjoint, so each one's backward is the other. Convolutions and pools are built on them.
 *
 * <p>No kernel of its own: for one kernel offset (kh, kw) the input elements that land in the columns form a
 * strided rectangle (rows {@code i*sH - pH + kh*dH}), and so do their places in the columns. im2col is kH*kW
 * strided copies of such rectangles, col2im kH*kW strided in-place adds; positions that fall into the zero
 * padding are simply never copied (the output starts zero-filled). For one offset no two column positions
 * share an input element, so the in-place add never reads what it has just written.
 */
final class Unfold {
    private Unfold() {
    }

    /** Validated window parameters for one call; {@code blocksH x blocksW} sliding positions. */
    private record Window(String op, int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW) {

        static Window of(String op, long[] kernel, long[] dilation, long[] padding, long[] stride) {
            int[] k = pair(op, "kernel_size", kernel, 1);
            int[] d = pair(op, "dilation", dilation, 1);
            int[] p = pair(op, "padding", padding, 0);
            int[] s = pair(op, "stride", stride, 1);
            return new Window(op, k[0], k[1], d[0], d[1], p[0], p[1], s[0], s[1]);
        }

        private static int[] pair(String op, String what, long[] v, int min) {
            if (v == null || v.length != 2) {
                throw new IllegalArgumentException(op + ": expected " + what + " to have 2 elements, got "
                        + Arrays.toString(v));
            }
            for (long x : v) {
                if (x < min || x > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(op + ": " + what + " should be "
                            + (min == 0 ? "non-negative" : "greater than zero") + ", but got " + Arrays.toString(v));
                }
            }
            return new int[] {(int) v[0], (int) v[1]};
        }

        int blocks(int size, int k, int d, int p, int s) {
            return Math.floorDiv(size + 2 * p - d * (k - 1) - 1, s) + 1;
        }

        int[] blocks(int h, int w) {
            int bh = blocks(h, kH, dH, pH, sH);
            int bw = blocks(w, kW, dW, pW, sW);
            if (bh < 1 || bw < 1) {
                throw new IllegalArgumentException(op + ": given input with spatial size (" + h + ", " + w
                        + "), kernel_size (" + kH + ", " + kW + "), dilation (" + dH + ", " + dW + "), padding (" + pH
                        + ", " + pW + "), calculated shape of the array of sliding blocks as (" + bh + ", " + bw
                        + "), but its components must be at least one");
            }
            return new int[] {bh, bw};
        }

        dev.ember.backend.Window2d of(int[] blocks) {
            return new dev.ember.backend.Window2d(kH, kW, dH, dW, pH, pW, sH, sW, blocks[0], blocks[1]);
        }

        /** [first, end) of block indices i whose element {@code i*s - p + k*d} lies inside [0, size). */
        static int[] range(int size, int blocks, int kOffset, int p, int s) {
            int shift = kOffset - p;
            int first = Math.max(0, Math.ceilDiv(-shift, s));
            int end = Math.min(blocks, Math.floorDiv(size - 1 - shift, s) + 1);
            return new int[] {first, end};
        }
    }

    /**
     * input (N, C, H, W) -> (N, C*kH*kW, L), L = blocksH * blocksW; row {@code c*kH*kW + kh*kW + kw}, column
     * {@code i*blocksW + j} holds {@code input[n, c, i*sH - pH + kh*dH, j*sW - pW + kw*dW]} (zero outside).
     */
    static Tensor im2col(Tensor x, long[] kernel, long[] dilation, long[] padding, long[] stride) {
        return im2col(x, kernel, dilation, padding, stride, true);
    }

    /** With {@code fusedKernel} false the composite runs even where the backend has a kernel (tests compare them). */
    static Tensor im2col(Tensor x, long[] kernel, long[] dilation, long[] padding, long[] stride, boolean fusedKernel) {
        Window w = Window.of("im2col", kernel, dilation, padding, stride);
        long[] k2 = kernel.clone();
        long[] d2 = dilation.clone();
        long[] p2 = padding.clone();
        long[] s2 = stride.clone();
        if (x.dim() != 4) {
            throw new IllegalArgumentException("im2col: expected a 4-D input (N, C, H, W), got shape "
                    + Shapes.str(x.shape));
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int h = x.shape[2];
        int wd = x.shape[3];
        int[] b = w.blocks(h, wd);
        int k = w.kH * w.kW;
        int l = b[0] * b[1];
        int[] outShape = {n, Math.multiplyExact(c, k), l};
        Backend backend = x.backend();
        int[] xs = x.strides;
        // a backend's one-pass kernel (which writes every column, padding included: no zero fill first), else
        // kH*kW strided copies into zeros (the reference)
        Tensor out = fusedKernel && n > 0 && c > 0 ? Creation.output(x.dtype(), outShape, x) : null;
        boolean fused = out != null && backend.im2col(x.strided(), w.of(b), out.strided());
        if (!fused) {
            out = Creation.empty(x.dtype(), outShape, x);
        }
        for (int kh = 0; kh < w.kH && !fused; kh++) {
            int[] ri = Window.range(h, b[0], kh * w.dH, w.pH, w.sH);
            for (int kw = 0; kw < w.kW && ri[0] < ri[1]; kw++) {
                int[] rj = Window.range(wd, b[1], kw * w.dW, w.pW, w.sW);
                if (rj[0] >= rj[1] || n == 0 || c == 0) {
                    continue;
                }
                int[] shape = {n, c, ri[1] - ri[0], rj[1] - rj[0]};
                int srcOffset = x.offset + (ri[0] * w.sH - w.pH + kh * w.dH) * xs[2]
                        + (rj[0] * w.sW - w.pW + kw * w.dW) * xs[3];
                Strided src = new Strided(x.storage, shape,
                        new int[] {xs[0], xs[1], xs[2] * w.sH, xs[3] * w.sW}, srcOffset);
                Strided dst = new Strided(out.storage, shape, new int[] {c * k * l, k * l, b[1], 1},
                        (kh * w.kW + kw) * l + ri[0] * b[1] + rj[0]);
                backend.copy(src, dst);
            }
        }
        long[] inSize = {h, wd};
        return Graph.record("Im2ColBackward0", out, x, Graph.NONE,
                g -> new Tensor[] {col2im(g, inSize, k2, d2, p2, s2, fusedKernel)});
    }

    /**
     * cols (N, C*kH*kW, L) -> (N, C, H, W) with (H, W) = {@code outputSize}: every column entry is added to the
     * image position {@link #im2col} would have read it from (entries that fall into the padding are dropped).
     */
    static Tensor col2im(Tensor cols, long[] outputSize, long[] kernel, long[] dilation, long[] padding,
                         long[] stride) {
        return col2im(cols, outputSize, kernel, dilation, padding, stride, true);
    }

    static Tensor col2im(Tensor cols, long[] outputSize, long[] kernel, long[] dilation, long[] padding,
                         long[] stride, boolean fusedKernel) {
        Window w = Window.of("col2im", kernel, dilation, padding, stride);
        int[] size = Window.pair("col2im", "output_size", outputSize, 0);
        long[] k2 = kernel.clone();
        long[] d2 = dilation.clone();
        long[] p2 = padding.clone();
        long[] s2 = stride.clone();
        if (cols.dim() != 3) {
            throw new IllegalArgumentException("col2im: expected a 3-D input (N, C*kH*kW, L), got shape "
                    + Shapes.str(cols.shape));
        }
        int k = w.kH * w.kW;
        if (cols.shape[1] % k != 0) {
            throw new IllegalArgumentException("col2im: expected size of input's dimension 1 to be divisible by the "
                    + "product of kernel_size (" + k + "), but got shape " + Shapes.str(cols.shape));
        }
        int[] b = w.blocks(size[0], size[1]);
        int l = b[0] * b[1];
        if (cols.shape[2] != l) {
            throw new IllegalArgumentException("col2im: given output_size (" + size[0] + ", " + size[1]
                    + "), kernel_size (" + w.kH + ", " + w.kW + "), dilation (" + w.dH + ", " + w.dW + "), padding ("
                    + w.pH + ", " + w.pW + "), stride (" + w.sH + ", " + w.sW + "), expected size of input's "
                    + "dimension 2 to match the calculated number of sliding blocks " + b[0] + " * " + b[1] + " = " + l
                    + ", but got shape " + Shapes.str(cols.shape));
        }
        int n = cols.shape[0];
        int c = cols.shape[1] / k;
        int h = size[0];
        int wd = size[1];
        int[] outShape = {n, c, h, wd};
        Backend backend = cols.backend();
        int[] cs = cols.strides;
        // a backend's one-pass kernel (which writes every pixel), else sums of strided slices into zeros
        Tensor out = fusedKernel && n > 0 && c > 0 ? Creation.output(cols.dtype(), outShape, cols) : null;
        boolean fused = out != null && backend.col2im(cols.strided(), w.of(b), out.strided());
        if (!fused) {
            out = Creation.empty(cols.dtype(), outShape, cols);
        }
        for (int kh = 0; kh < w.kH && !fused; kh++) {
            int[] ri = Window.range(h, b[0], kh * w.dH, w.pH, w.sH);
            for (int kw = 0; kw < w.kW && ri[0] < ri[1]; kw++) {
                int[] rj = Window.range(wd, b[1], kw * w.dW, w.pW, w.sW);
                if (rj[0] >= rj[1] || n == 0 || c == 0) {
                    continue;
                }
                int[] shape = {n, c, ri[1] - ri[0], rj[1] - rj[0]};
                Strided src = new Strided(cols.storage, shape,
                        new int[] {cs[0], cs[1] * k, cs[2] * b[1], cs[2]},
                        cols.offset + (kh * w.kW + kw) * cs[1] + (ri[0] * b[1] + rj[0]) * cs[2]);
                int dstOffset = (ri[0] * w.sH - w.pH + kh * w.dH) * wd + (rj[0] * w.sW - w.pW + kw * w.dW);
                Strided dst = new Strided(out.storage, shape, new int[] {c * h * wd, h * wd, wd * w.sH, w.sW},
                        dstOffset);
                backend.binary(BinaryOp.ADD, dst, src, dst);
            }
        }
        return Graph.record("Col2ImBackward0", out, cols, Graph.NONE,
                g -> new Tensor[] {im2col(g, k2, d2, p2, s2, fusedKernel)});
    }
}
