package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 max pooling in one pass each way, the kernels behind {@code F.max_pool2d} (the composite, -inf padding,
 * im2col and a max over each window, is the reference). Window positions outside the input are skipped. Each
 * window's maximum is its first largest element in row-major order, or its first NaN, as in PyTorch's kernel; its
 * index is the flat {@code h*W + w} position in the input plane ({@code return_indices}). The backward adds each
 * output gradient at its index (overlapping windows add up), plane by plane in a fixed order. Work splits over
 * the (n, c) planes.
 *
 * <p>The forward first lays one plane's windows out tap by tap in a per-thread buffer (as im2col does, -inf
 * outside the input), then takes the maximum across the taps with vectors, all windows of the plane side by
 * side. A scalar loop over each window's taps is five times slower: every comparison waits for the previous one,
 * and on real data which element wins is a coin toss a branch predictor loses. A window whose winner is outside
 * the input (all its inside elements -inf) is redone lane by lane.
 */
final class CpuPool {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private CpuPool() {
    }

    /** x (N, C, H, W) any strides -> out (N, C, oH, oW) and indices (int64, same shape), both contiguous. */
    static boolean maxPool2d(Strided x, Window2d w, Strided out, Strided indices) {
        if (x.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32 || indices.dtype() != DType.INT64
                || x.shape().length != 4 || !out.isContiguous() || !indices.isContiguous()) {
            return false;
        }
        int[] sh = x.shape();
        int c = sh[1];
        int oH = w.oH();
        int oW = w.oW();
        int plane = oH * oW;
        int taps = w.kH() * w.kW();
        Geometry geo = Geometry.of(w, sh[2], sh[3]);
        Parallel.parallelFor(0, sh[0] * c, Math.max(1, 4096 / Math.max(1, plane * taps)), (from, to) -> {
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < taps * plane + LANES) {
                scratch[0] = new float[taps * plane + LANES];
            }
            if (scratch[1].length < plane + LANES) {
                scratch[1] = new float[plane + LANES];
            }
            float[] cols = scratch[0];
            float[] winner = scratch[1];
            for (int nc = from; nc < to; nc++) {
                int base = x.offset() + nc / c * x.strides()[0] + nc % c * x.strides()[1];
                gather(x, base, w, geo.kwLo, geo.kwHi, cols);
                argmax(cols, taps, plane, winner, ((CpuStorage) out.storage()).f, out.offset() + nc * plane);
                positions(x, base, w, geo, winner, (CpuStorage) out.storage(),
                        out.offset() + nc * plane, ((CpuStorage) indices.storage()).l, indices.offset() + nc * plane);
            }
        });
        return true;
    }

    /** cols[t][oh][ow] = the input under tap t = (kh, kw) of window (oh, ow), -inf outside the input. */
    private static void gather(Strided x, int base, Window2d w, int[] kwLo, int[] kwHi, float[] cols) {
        float[] xs = ((CpuStorage) x.storage()).f;
        int rowStride = x.strides()[2];
        int colStride = x.strides()[3];
        int h = x.shape()[2];
        int oH = w.oH();
        int oW = w.oW();
        int plane = oH * oW;
        int step = w.sW() * colStride;
        for (int kh = 0, t = 0; kh < w.kH(); kh++) {
            for (int kw = 0; kw < w.kW(); kw++, t++) {
                // the windows whose tap kw is inside the input: a contiguous run [lo, hi) of columns
                int lo = 0;
                while (lo < oW && (kw < kwLo[lo] || kw >= kwHi[lo])) {
                    lo++;
                }
                int hi = lo;
                while (hi < oW && kw >= kwLo[hi] && kw < kwHi[hi]) {
                    hi++;
                }
                int first = (lo * w.sW() - w.pW() + kw * w.dW()) * colStride;
                for (int oh = 0, d = t * plane; oh < oH; oh++, d += oW) {
                    int ih = oh * w.sH() - w.pH() + kh * w.dH();
                    if (ih < 0 || ih >= h) {
                        java.util.Arrays.fill(cols, d, d + oW, Float.NEGATIVE_INFINITY);
                        continue;
                    }
                    java.util.Arrays.fill(cols, d, d + lo, Float.NEGATIVE_INFINITY);
                    java.util.Arrays.fill(cols, d + hi, d + oW, Float.NEGATIVE_INFINITY);
                    for (int i = d + lo, end = d + hi, e = base + ih * rowStride + first; i < end; i++, e += step) {
                        cols[i] = xs[e];
                    }
                }
            }
        }
    }

    /** y[o] = max over taps of cols[t][o] (first largest, or first NaN); winner[o] = that tap, as a float. */
    private static void argmax(float[] cols, int taps, int plane, float[] winner, float[] y, int yOff) {
        VectorMask<Float> all = SPECIES.maskAll(true);
        for (int o = 0; o < plane; o += LANES) {
            VectorMask<Float> m = o + LANES <= plane ? all : SPECIES.indexInRange(o, plane);
            FloatVector best = FloatVector.fromArray(SPECIES, cols, o);
            FloatVector at = FloatVector.zero(SPECIES);
            for (int t = 1; t < taps; t++) {
                FloatVector v = FloatVector.fromArray(SPECIES, cols, t * plane + o);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(v, take);
                at = at.blend(t, take);
            }
            best.intoArray(y, yOff + o, m);
            at.intoArray(winner, o);
        }
    }

    /**
     * indices[o] = the flat input position of window o's winning tap: its corner's position plus the tap's offset
     * for a window wholly inside the input; any other window is redone element by element over its inside taps
     * (which also settles a winner that lies outside the input), as PyTorch's kernel does.
     */
    private static void positions(Strided x, int base, Window2d w, Geometry geo, float[] winner, CpuStorage out,
                                  int yOff, long[] idx, int iOff) {
        int[] corner = geo.corner;
        int[] tapPos = geo.tapPos;
        boolean[] inside = geo.inside;
        for (int o = 0; o < corner.length; o++) {
            if (inside[o]) {
                idx[iOff + o] = corner[o] + tapPos[(int) winner[o]];
            } else {
                int oh = o / w.oW();
                int ow = o - oh * w.oW();
                idx[iOff + o] = exact(x, base, w, oh * w.sH() - w.pH(), ow * w.sW() - w.pW(), geo.khLo[oh],
                        geo.khHi[oh], geo.kwLo[ow], geo.kwHi[ow], out, yOff + o);
            }
        }
    }

    /**
     * What every plane of one call shares: per output row and column the taps inside the input ([lo, hi)), per
     * window the flat position of its corner and whether it lies wholly inside, per tap its offset from the corner.
     */
    private record Geometry(int[] khLo, int[] khHi, int[] kwLo, int[] kwHi, int[] corner, boolean[] inside,
                            int[] tapPos) {
        static Geometry of(Window2d w, int h, int wd) {
            int oH = w.oH();
            int oW = w.oW();
            int[] khLo = new int[oH];
            int[] khHi = new int[oH];
            int[] kwLo = new int[oW];
            int[] kwHi = new int[oW];
            taps(oH, w.kH(), w.sH(), w.pH(), w.dH(), h, khLo, khHi);
            taps(oW, w.kW(), w.sW(), w.pW(), w.dW(), wd, kwLo, kwHi);
            int[] corner = new int[oH * oW];
            boolean[] inside = new boolean[oH * oW];
            for (int oh = 0, o = 0; oh < oH; oh++) {
                for (int ow = 0; ow < oW; ow++, o++) {
                    corner[o] = (oh * w.sH() - w.pH()) * wd + ow * w.sW() - w.pW();
                    inside[o] = khLo[oh] == 0 && khHi[oh] == w.kH() && kwLo[ow] == 0 && kwHi[ow] == w.kW();
                }
            }
            int[] tapPos = new int[w.kH() * w.kW()];
            for (int kh = 0, t = 0; kh < w.kH(); kh++) {
                for (int kw = 0; kw < w.kW(); kw++, t++) {
                    tapPos[t] = kh * w.dH() * wd + kw * w.dW();
                }
            }
            return new Geometry(khLo, khHi, kwLo, kwHi, corner, inside, tapPos);
        }
    }

    /** One window lane by lane: writes its maximum, returns its position (-1 when no tap is inside). */
    private static long exact(Strided x, int base, Window2d w, int h0, int w0, int kh0, int kh1, int kw0, int kw1,
                              CpuStorage out, int o) {
        float[] xs = ((CpuStorage) x.storage()).f;
        int[] st = x.strides();
        float best = Float.NEGATIVE_INFINITY;
        long at = -1;
        for (int kh = kh0; kh < kh1; kh++) {
            int ih = h0 + kh * w.dH();
            for (int kw = kw0; kw < kw1; kw++) {
                int iw = w0 + kw * w.dW();
                float v = xs[base + ih * st[2] + iw * st[3]];
                if (at < 0 || v > best || (v != v && best == best)) {
                    best = v;
                    at = (long) ih * x.shape()[3] + iw;
                }
            }
        }
        out.f[o] = best;
        return at;
    }

    /** For each of {@code out} windows along one dim, the taps [lo, hi) whose position lies in [0, size). */
    private static void taps(int out, int k, int s, int p, int d, int size, int[] lo, int[] hi) {
        for (int o = 0; o < out; o++) {
            int start = o * s - p;
            int l = 0;
            while (l < k && start + l * d < 0) {
                l++;
            }
            int h = k;
            while (h > l && start + (h - 1) * d >= size) {
                h--;
            }
            lo[o] = l;
            hi[o] = h;
        }
    }

    /** gradIn (N, C, H, W) contiguous, written: zero, plus each gradOut (N, C, oH, oW) element at its index. */
    static boolean maxPool2dBackward(Strided gradOut, Strided indices, Strided gradIn) {
        if (gradOut.dtype() != DType.FLOAT32 || gradIn.dtype() != DType.FLOAT32 || !gradOut.isContiguous()
                || !indices.isContiguous() || !gradIn.isContiguous() || gradIn.shape().length != 4) {
            return false;
        }
        int[] sh = gradIn.shape();
        int inPlane = sh[2] * sh[3];
        int[] os = gradOut.shape();
        int outPlane = os[2] * os[3];
        float[] g = ((CpuStorage) gradOut.storage()).f;
        long[] is = ((CpuStorage) indices.storage()).l;
        float[] gi = ((CpuStorage) gradIn.storage()).f;
        Parallel.parallelFor(0, sh[0] * sh[1], Math.max(1, 4096 / Math.max(1, inPlane)), (from, to) -> {
            java.util.Arrays.fill(gi, gradIn.offset() + from * inPlane, gradIn.offset() + to * inPlane, 0f);
            for (int nc = from; nc < to; nc++) {
                int dst = gradIn.offset() + nc * inPlane;
                for (int i = 0, o = gradOut.offset() + nc * outPlane, io = indices.offset() + nc * outPlane;
                        i < outPlane; i++, o++, io++) {
                    if (is[io] >= 0) { // -1: a window wholly in the padding (possible with dilation)
                        gi[dst + (int) is[io]] += g[o];
                    }
                }
            }
        });
        return true;
    }
}
