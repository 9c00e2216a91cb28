package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.VectorMask;

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
 * <p>Work splits over images (and over a row range of each image when there are fewer images than threads);
 * the weight gradient splits over fixed chunks of images and blocks of output channels, and adds the chunks'
 * partial sums in chunk order, so every result is the same on any number of threads.
 */
final class CpuConv {
    private static final int LANES = ConvKernel.LANES;
    private static final int MR = ConvKernel.MR;
    private static final int WR = ConvKernel.WR;
    private static final int WK = ConvKernel.WK;
    /** Below this share of useful lanes (output rows much narrower than a vector) im2col + GEMM does better. */
    private static final double MIN_LANE_USE = 0.5;
    /** Most floats of weight-gradient partial sums (one per image chunk) held at once. */
    private static final long MAX_PARTIAL_FLOATS = 1 << 22;
    /** Most image chunks of the weight gradient (the chunking depends on shapes only, never on threads). */
    private static final int MAX_CHUNKS = 16;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuConv() {
    }

    /**
     * The shape of one correlation: source (N, c, h, w) read through a zero padding of (padH, padW) (negative:
     * cropped) into a grid of {@code hp x wp}, filters of {@code kH x kW} taps dilated by (dH, dW), output (N, m,
     * oH, oW).
     */
    private record Geometry(int c, int h, int w, int kH, int kW, int dH, int dW, int padH, int padW, int oH, int oW) {
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
    private static long position(Geometry g, int s, int width) {
        int per = g.segmentsPerRow();
        return (long) (s / per) * width + (long) (s % per) * LANES;
    }

    private static int valid(Geometry g, int s) {
        return Math.min(LANES, g.oW() - s % g.segmentsPerRow() * LANES);
    }

    /**
     * gradW (Cout, Cin, kH, kW) contiguous = sum over images and output positions of gradY (N, Cout, oH, oW,
     * contiguous) times the inputs each filter tap saw in x (N, Cin, H, W); gradB (Cout, or null) = the sums of
     * gradY's planes, taken while they are copied for the kernel.
     */
    static boolean backwardWeight(Strided x, Strided gradY, Window2d win, Strided gradW, Strided gradB) {
        int[] ws = gradW.shape();
        if (!supports(x, gradW, win) || gradY.dtype() != DType.FLOAT32 || !gradY.isContiguous()
                || !gradW.isContiguous() || (gradB != null && gradB.dtype() != DType.FLOAT32)) {
            return false;
        }
        int[] xs = x.shape();
        Geometry g = new Geometry(xs[1], xs[2], xs[3], ws[2], ws[3], win.dH(), win.dW(), win.pH(), win.pW(),
                win.oH(), win.oW());
        int n = xs[0];
        int cout = ws[0];
        int taps = g.taps();
        long size = (long) cout * taps;
        if (n == 0 || size == 0) {
            fill(gradW, cout * taps, i -> 0f);
            if (gradB != null) {
                fill(gradB, cout, i -> 0f);
            }
            return true;
        }
        int rowBlocks = Math.ceilDiv(cout, WR);
        int tapBlocks = Math.ceilDiv(taps, WK);
        long tileFloats = (long) WR * WK * LANES;
        // images split into chunks fixed by the shapes; each chunk's sums are kept apart and added in chunk order
        int chunks = (int) Math.clamp(MAX_PARTIAL_FLOATS / size, 1, Math.min(n, MAX_CHUNKS));
        // output channels split into groups: enough tasks for the threads, and vector sums of a bounded size
        int groups = (int) Math.clamp(Math.max(4L * Parallel.numThreads() / chunks,
                Math.ceilDiv(rowBlocks * tapBlocks * tileFloats, MAX_PARTIAL_FLOATS)), 1, rowBlocks);
        float[] partial = new float[Math.toIntExact(chunks * size)];
        double[] biasPartial = new double[chunks * cout];
        long[] offs = g.offsets();
        int per = g.segmentsPerRow();
        int segs = g.oH() * per;
        long[] xOff = new long[segs];
        // whole segments first, then the partial last segment of every row (all of one width)
        int[] order = new int[segs];
        int at = 0;
        for (int s = 0; s < segs; s++) {
            xOff[s] = 4L * position(g, s, g.wp());
            if (valid(g, s) == LANES) {
                order[at++] = s;
            }
        }
        int whole = at;
        for (int s = 0; s < segs; s++) {
            if (valid(g, s) < LANES) {
                order[at++] = s;
            }
        }
        int tail = g.oW() - (per - 1) * LANES;
        VectorMask<Float> none = ConvKernel.SPECIES.maskAll(false);
        VectorMask<Float> pastRow = ConvKernel.SPECIES.indexInRange(0, tail).not();
        int wg = per * LANES;
        Parallel.forEachTask(chunks * groups, Parallel.numThreads(), task -> {
            int chunk = task / groups;
            int group = task % groups;
            Scratch sc = SCRATCH.get();
            long[] rowsAt = new long[WR];
            int[] tapIdx = new int[WK];
            int rb0 = (int) ((long) rowBlocks * group / groups);
            int rb1 = (int) ((long) rowBlocks * (group + 1) / groups);
            int co0 = rb0 * WR;
            int co1 = Math.min(cout, rb1 * WR);
            // one WR x WK tile of vector sums per (row block, tap block), carried across the chunk's images
            float[] acc = sc.acc((rb1 - rb0) * tapBlocks * (int) tileFloats);
            for (int img = (int) ((long) n * chunk / chunks), end = (int) ((long) n * (chunk + 1) / chunks);
                    img < end; img++) {
                MemorySegment xp = sc.pad(x, img, g);
                MemorySegment gyp = sc.widen(gradY, img, co0, co1, g.oH(), g.oW(), wg, biasPartial, chunk * cout);
                for (int rb = rb0; rb < rb1; rb++) {
                    for (int r = 0; r < WR; r++) {
                        int co = Math.min(rb * WR + r, cout - 1); // rows past the end repeat the last one
                        rowsAt[r] = 4L * (co - co0) * g.oH() * wg;
                    }
                    for (int kb = 0; kb < tapBlocks; kb++) {
                        for (int j = 0; j < WK; j++) {
                            tapIdx[j] = Math.min(kb * WK + j, taps - 1);
                        }
                        int tile = ((rb - rb0) * tapBlocks + kb) * (int) tileFloats;
                        if (whole > 0) {
                            ConvKernel.weight(gyp, rowsAt, xp, offs, tapIdx, xOff, order, 0, whole, none, sc.tile);
                            ConvKernel.accumulate(sc.tile, acc, tile);
                        }
                        if (whole < segs) {
                            ConvKernel.weight(gyp, rowsAt, xp, offs, tapIdx, xOff, order, whole, segs, pastRow,
                                    sc.tile);
                            ConvKernel.accumulate(sc.tile, acc, tile);
                        }
                    }
                }
            }
            long base = (long) chunk * size;
            for (int rb = rb0; rb < rb1; rb++) {
                for (int kb = 0; kb < tapBlocks; kb++) {
                    int tile = ((rb - rb0) * tapBlocks + kb) * (int) tileFloats;
                    for (int r = 0; r < WR && rb * WR + r < cout; r++) {
                        for (int j = 0; j < WK && kb * WK + j < taps; j++) {
                            partial[(int) (base + (long) (rb * WR + r) * taps + kb * WK + j)] =
                                    sum(acc, tile + (r * WK + j) * LANES);
                        }
                    }
                }
            }
        });
        fill(gradW, (int) size, i -> {
            float v = 0;
            for (int c = 0; c < chunks; c++) {
                v += partial[(int) (c * size) + i];
            }
            return v;
        });
        if (gradB != null) {
            fill(gradB, cout, i -> {
                double v = 0;
                for (int c = 0; c < chunks; c++) {
                    v += biasPartial[c * cout + i];
                }
                return (float) v;
            });
        }
        return true;
    }

    private interface FloatAt {
        float at(int i);
    }

    /** out[i] = f(i) for the {@code count} elements of a 1-D-contiguous or contiguous out. */
    private static void fill(Strided out, int count, FloatAt f) {
        float[] d = ((CpuStorage) out.storage()).f;
        int step = out.shape().length == 1 ? out.strides()[0] : 1;
        for (int i = 0; i < count; i++) {
            d[out.offset() + i * step] = f.at(i);
        }
    }

    /** The lanes of one accumulator, added left to right. */
    private static float sum(float[] acc, int at) {
        float s = 0;
        for (int i = at; i < at + LANES; i++) {
            s += acc[i];
        }
        return s;
    }

    /** One thread's buffers, grown to the largest size seen. */
    private static final class Scratch {
        private float[] padded = new float[0];
        private MemorySegment paddedSeg = MemorySegment.ofArray(padded);
        private float[] widened = new float[0];
        private MemorySegment widenedSeg = MemorySegment.ofArray(widened);
        final MemorySegment tileSeg = MemorySegment.ofArray(new float[MR * 2 * LANES]);
        private float[] acc = new float[0];
        final float[] tile = new float[WR * WK * LANES];

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
