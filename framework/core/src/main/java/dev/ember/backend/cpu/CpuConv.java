package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Direct float32 convolution with stride 1 (any padding and dilation, one group): the forward pass and both
 * gradients without an im2col buffer. Each image is copied once into a zero-padded per-thread buffer, which
 * {@link ConvKernel}'s micro-kernels read in place; the reference is the composite (im2col, then a matrix
 * product; col2im for the input gradient) in {@code dev.ember.nn.functional.Convolutions}, which also runs
 * everything this class declines (other dtypes, strides, layouts).
 *
 * <p>The input gradient of a stride-1 convolution is itself a stride-1 convolution: of the output gradient,
 * with the filters transposed (in and out channels swapped) and flipped, and padding {@code d*(k-1) - p}
 * (negative padding crops). So forward and input gradient share {@link #correlate}, which hands 3x3 filters over
 * enough channels to {@link CpuWinograd} and runs everything else here.
 *
 * <p>Work splits over images (and over a row range of each image when there are fewer images than threads). The
 * weight gradient is {@link CpuConvWeight}'s; both use this class's geometry and per-thread buffers.
 */
final class CpuConv {
    private static final int LANES = ConvKernel.LANES;
    private static final int MR = ConvKernel.MR;
    /** Below this share of useful lanes (output rows much narrower than a vector) im2col + GEMM does better. */
    private static final double MIN_LANE_USE = 0.5;
    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuConv() {
    }

    /**
     * The shape of one correlation: source (N, c, h, w) read through a zero padding of (padH, padW) (negative:
     * cropped) into a grid of {@code hp x wp}, filters of {@code kH x kW} taps dilated by (dH, dW), output (N, m,
     * oH, oW).
     */
    record Geometry(int c, int h, int w, int kH, int kW, int dH, int dW, int padH, int padW, int oH, int oW) {
        int hp() {
            return oH + dH * (kH - 1);
        }

        int wp() {
            return oW + dW * (kW - 1);
        }

        int taps() {
            return c * kH * kW;
        }

        /** Floats of the padded image buffer, with one vector of slack for the lanes that run past the last row. */
        int padded() {
            return Math.multiplyExact(Math.multiplyExact(c, hp()), wp()) + LANES + 1;
        }

        int segmentsPerRow() {
            return Math.ceilDiv(oW, LANES);
        }

        /** Byte offset of tap k = (ci, kh, kw) in the padded buffer, relative to the output position. */
        long[] offsets() {
            long[] offs = new long[taps()];
            int k = 0;
            for (int ci = 0; ci < c; ci++) {
                for (int kh = 0; kh < kH; kh++) {
                    for (int kw = 0; kw < kW; kw++) {
                        offs[k++] = 4L * (((long) ci * hp() + (long) kh * dH) * wp() + (long) kw * dW);
                    }
                }
            }
            return offs;
        }
    }

    /** Whether the direct kernels take this convolution (else the caller runs im2col + GEMM). */
    static boolean supports(Strided x, Strided w, Window2d win) {
        if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32 || x.shape().length != 4
                || w.shape().length != 4 || win.sH() != 1 || win.sW() != 1 || w.shape()[1] != x.shape()[1]) {
            return false;
        }
        int segs = Math.ceilDiv(win.oW(), LANES);
        return win.oW() >= (double) segs * LANES * MIN_LANE_USE;
    }

    /** y (N, Cout, oH, oW) contiguous = bias + x (N, Cin, H, W) correlated with w (Cout, Cin, kH, kW). */
    static boolean forward(Strided x, Strided w, Strided bias, Window2d win, Strided y) {
        if (!supports(x, w, win) || !y.isContiguous() || (bias != null && bias.dtype() != DType.FLOAT32)) {
            return false;
        }
        int[] ws = w.shape();
        int[] xs = x.shape();
        Geometry g = new Geometry(xs[1], xs[2], xs[3], ws[2], ws[3], win.dH(), win.dW(), win.pH(), win.pW(),
                win.oH(), win.oW());
        float[] b = new float[ws[0]];
        if (bias != null) {
            float[] bd = ((CpuStorage) bias.storage()).f;
            for (int i = 0; i < b.length; i++) {
                b[i] = bd[bias.offset() + i * bias.strides()[0]];
            }
        }
        correlate(x, pack(w, false), ws[0], b, g, y);
        return true;
    }

    /**
     * gradX (N, Cin, H, W) contiguous from gradY (N, Cout, oH, oW) and w (Cout, Cin, kH, kW): the correlation
     * of gradY with the transposed, flipped filters, padded by {@code d*(k-1) - p}.
     */
    static boolean backwardInput(Strided gradY, Strided w, Window2d win, Strided gradX) {
        int[] ws = w.shape();
        int[] xs = gradX.shape();
        Window2d back = new Window2d(win.kH(), win.kW(), win.dH(), win.dW(), win.dH() * (win.kH() - 1) - win.pH(),
                win.dW() * (win.kW() - 1) - win.pW(), 1, 1, xs[2], xs[3]);
        if (gradY.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32 || !gradX.isContiguous()
                || win.sH() != 1 || win.sW() != 1 || gradY.shape()[1] != ws[0]) {
            return false;
        }
        int[] gs = gradY.shape();
        Geometry g = new Geometry(gs[1], gs[2], gs[3], ws[2], ws[3], win.dH(), win.dW(), back.pH(), back.pW(), xs[2],
                xs[3]);
        correlate(gradY, pack(w, true), ws[1], new float[ws[1]], g, gradX);
        return true;
    }

    /**
     * Filters as ceil(m / MR) panels of MR rows (zero rows past m), row r of a panel at {@code r * taps}:
     * {@code w[co][ci][kh][kw]} by (co; ci, kh, kw), or with {@code transposeFlip} {@code w[co][ci][kH-1-kh][kW-1-kw]}
     * by (ci; co, kh, kw).
     */
    private static float[] pack(Strided w, boolean transposeFlip) {
        int[] s = w.shape();
        int[] st = w.strides();
        float[] src = ((CpuStorage) w.storage()).f;
        int rows = transposeFlip ? s[1] : s[0];
        int inner = transposeFlip ? s[0] : s[1];
        int taps = inner * s[2] * s[3];
        float[] a = new float[Math.multiplyExact(Math.ceilDiv(rows, MR) * MR, taps)];
        for (int r = 0; r < rows; r++) {
            int k = r * taps;
            for (int i = 0; i < inner; i++) {
                for (int kh = 0; kh < s[2]; kh++) {
                    for (int kw = 0; kw < s[3]; kw++) {
                        int o = transposeFlip
                                ? i * st[0] + r * st[1] + (s[2] - 1 - kh) * st[2] + (s[3] - 1 - kw) * st[3]
                                : r * st[0] + i * st[1] + kh * st[2] + kw * st[3];
                        a[k++] = src[w.offset() + o];
                    }
                }
            }
        }
        return a;
    }

    /**
     * out (N, m, oH, oW) contiguous = bias + src correlated with the packed filters (see {@link Geometry}):
     * by Winograd's F(2x2, 3x3) for 3x3 filters over enough channels ({@link CpuWinograd}), else directly.
     */
    private static void correlate(Strided src, float[] packed, int m, float[] bias, Geometry g, Strided out) {
        if (CpuWinograd.supports(g.kH(), g.kW(), g.dH(), g.dW(), g.padH(), g.padW(), g.c(), m)
                && src.shape()[0] > 0 && m > 0) {
            CpuWinograd.correlate(src, packed, m, bias, g.padH(), g.padW(), g.oH(), g.oW(), out);
            return;
        }
        direct(src, packed, m, bias, g, out);
    }

    private static void direct(Strided src, float[] packed, int m, float[] bias, Geometry g, Strided out) {
        int n = src.shape()[0];
        int taps = g.taps();
        long[] offs = g.offsets();
        int segs = g.oH() * g.segmentsPerRow();
        int tiles = Math.ceilDiv(segs, 2);
        if (n == 0 || m == 0) {
            return;
        }
        float[] y = ((CpuStorage) out.storage()).f;
        MemorySegment ySeg = MemorySegment.ofArray(y);
        int panels = Math.ceilDiv(m, MR);
        // a few tasks per thread; an image splits into row ranges only when images are too few
        int parts = Math.clamp(4L * Parallel.numThreads() / n, 1, tiles);
        long plane = (long) g.oH() * g.oW();
        Parallel.forEachTask(n * parts, Parallel.numThreads(), task -> {
            int img = task / parts;
            int part = task % parts;
            Scratch s = SCRATCH.get();
            MemorySegment xp = s.pad(src, img, g);
            long yImg = out.offset() + (long) img * m * plane;
            for (int t = (int) ((long) tiles * part / parts), end = (int) ((long) tiles * (part + 1) / parts);
                    t < end; t++) {
                int s0 = 2 * t;
                int s1 = Math.min(s0 + 1, segs - 1);
                int n0 = valid(g, s0);
                int n1 = s1 == s0 ? 0 : valid(g, s1);
                long x0 = 4L * position(g, s0, g.wp());
                long x1 = 4L * position(g, s1, g.wp());
                long p0 = position(g, s0, g.oW());
                long p1 = position(g, s1, g.oW());
                for (int q = 0; q < panels; q++) {
                    ConvKernel.forward(packed, q * MR * taps, taps, offs, xp, x0, x1, s.tileSeg);
                    long y0 = 4L * (yImg + q * MR * plane);
                    ConvKernel.emit(s.tileSeg, Math.min(MR, m - q * MR), bias, q * MR, ySeg, y0 + 4L * p0,
                            y0 + 4L * p1, 4L * plane, n0, n1);
                }
            }
        });
    }

    /** Row-major index of segment s's first position in a grid {@code width} wide. */
    static long position(Geometry g, int s, int width) {
        int per = g.segmentsPerRow();
        return (long) (s / per) * width + (long) (s % per) * LANES;
    }

    static int valid(Geometry g, int s) {
        return Math.min(LANES, g.oW() - s % g.segmentsPerRow() * LANES);
    }


    /** One thread's buffers, grown to the largest size seen. */
    static final class Scratch {
        private float[] padded = new float[0];
        private MemorySegment paddedSeg = MemorySegment.ofArray(padded);
        private float[] widened = new float[0];
        private MemorySegment widenedSeg = MemorySegment.ofArray(widened);
        final MemorySegment tileSeg = MemorySegment.ofArray(new float[MR * 2 * LANES]);
        private float[] acc = new float[0];
        final float[] tile = new float[ConvKernel.WR * ConvKernel.WK * LANES];

        /** A zeroed buffer of at least {@code size} floats. */
        float[] acc(int size) {
            if (acc.length < size) {
                acc = new float[size];
            } else {
                Arrays.fill(acc, 0, size, 0f);
            }
            return acc;
        }
        /**
         * Planes {@code [c0, c1)} of image {@code img} of g (N, C, oH, oW, contiguous), each row widened to {@code wg}
         * floats with zeros past {@code oW}; adds each plane's sum to {@code sums[at + c]}.
         */
        MemorySegment widen(Strided g, int img, int c0, int c1, int oH, int oW, int wg, double[] sums, int at) {
            int size = (c1 - c0) * oH * wg;
            if (widened.length < size) {
                widened = new float[size];
                widenedSeg = MemorySegment.ofArray(widened);
            }
            float[] src = ((CpuStorage) g.storage()).f;
            for (int c = c0, d = 0; c < c1; c++) {
                double sum = 0;
                for (int r = 0, from = g.offset() + img * g.strides()[0] + c * g.strides()[1]; r < oH;
                        r++, from += oW, d += wg) {
                    System.arraycopy(src, from, widened, d, oW);
                    Arrays.fill(widened, d + oW, d + wg, 0f);
                    for (int i = from; i < from + oW; i++) {
                        sum += src[i];
                    }
                }
                sums[at + c] += sum;
            }
            return widenedSeg;
        }

        /** Image {@code img} of src (N, c, h, w) in the padded layout of {@code g}; the rest zero. */
        MemorySegment pad(Strided src, int img, Geometry g) {
            int size = g.padded();
            if (padded.length < size) {
                padded = new float[size];
                paddedSeg = MemorySegment.ofArray(padded);
            }
            float[] xp = padded;
            float[] s = ((CpuStorage) src.storage()).f;
            int[] st = src.strides();
            int hp = g.hp();
            int wp = g.wp();
            // columns q of the grid that hold source column q - padW
            int q0 = Math.max(0, g.padW());
            int q1 = Math.min(wp, g.padW() + g.w());
            for (int c = 0; c < g.c(); c++) {
                int rowBase = c * hp * wp;
                for (int r = 0; r < hp; r++) {
                    int sr = r - g.padH();
                    int d = rowBase + r * wp;
                    if (sr < 0 || sr >= g.h() || q0 >= q1) {
                        Arrays.fill(xp, d, d + wp, 0f);
                        continue;
                    }
                    Arrays.fill(xp, d, d + q0, 0f);
                    Arrays.fill(xp, d + q1, d + wp, 0f);
                    int from = src.offset() + img * st[0] + c * st[1] + sr * st[2] + (q0 - g.padW()) * st[3];
                    if (st[3] == 1) {
                        System.arraycopy(s, from, xp, d + q0, q1 - q0);
                    } else {
                        for (int q = q0; q < q1; q++, from += st[3]) {
                            xp[d + q] = s[from];
                        }
                    }
                }
            }
            Arrays.fill(xp, size - LANES - 1, size, 0f);
            return paddedSeg;
        }
    }
}
