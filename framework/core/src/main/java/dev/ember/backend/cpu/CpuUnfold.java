package dev.ember.backend.cpu;

import dev.ember.backend.Strided;
import dev.ember.backend.Window2d;
import dev.ember.tensor.DType;

/**
 * im2col and col2im in one pass each (the backend hooks behind convolutions and pools), for float32 and
 * float64. The composite in {@code dev.ember.tensor.Unfold} (kH*kW strided copies into a zero-filled buffer) is
 * the reference: col2im adds each pixel's contributions in the same (kh, kw) order, so both give the same bits.
 * Work is split over the (n, c) planes, which share nothing.
 *
 * <p>Layout: x (N, C, H, W), any strides for im2col's input; cols (N, C*kH*kW, oH*oW) contiguous, row
 * {@code c*kH*kW + kh*kW + kw}, column {@code oh*oW + ow}, reading {@code x[n, c, oh*sH - pH + kh*dH, ow*sW - pW
 * + kw*dW]} (zero outside the image).
 */
final class CpuUnfold {
    private CpuUnfold() {
    }

    private static boolean floating(Strided a, Strided b) {
        DType t = a.dtype();
        return (t == DType.FLOAT32 || t == DType.FLOAT64) && b.dtype() == t && a.shape().length == 4;
    }

    /** [first, end) of output positions whose input index {@code o*s + shift} lies in [0, size). */
    private static int first(int shift, int s) {
        return Math.max(0, Math.ceilDiv(-shift, s));
    }

    private static int end(int size, int outSize, int shift, int s) {
        return Math.min(outSize, Math.floorDiv(size - 1 - shift, s) + 1);
    }

    static boolean im2col(Strided x, Window2d w, Strided cols) {
        if (!floating(x, cols) || !cols.isContiguous()) {
            return false;
        }
        int[] sh = x.shape();
        int[] xs = x.strides();
        int c = sh[1];
        int k = w.kH() * w.kW();
        int l = w.oH() * w.oW();
        Object xa = ((CpuStorage) x.storage()).array();
        Object ca = ((CpuStorage) cols.storage()).array();
        Parallel.parallelFor(0, sh[0] * c, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int base = x.offset() + nc / c * xs[0] + nc % c * xs[1];
                for (int kh = 0; kh < w.kH(); kh++) {
                    for (int kw = 0; kw < w.kW(); kw++) {
                        int row = cols.offset() + (nc * k + kh * w.kW() + kw) * l;
                        int shiftW = kw * w.dW() - w.pW();
                        int lo = Math.min(w.oW(), first(shiftW, w.sW()));
                        int hi = Math.max(lo, end(sh[3], w.oW(), shiftW, w.sW()));
                        for (int oh = 0; oh < w.oH(); oh++) {
                            int ih = oh * w.sH() - w.pH() + kh * w.dH();
                            int dst = row + oh * w.oW();
                            if (ih < 0 || ih >= sh[2]) {
                                zero(ca, dst, w.oW());
                                continue;
                            }
                            zero(ca, dst, lo);
                            zero(ca, dst + hi, w.oW() - hi);
                            copy(xa, base + ih * xs[2] + (lo * w.sW() + shiftW) * xs[3], w.sW() * xs[3], ca, dst + lo,
                                    hi - lo);
                        }
                    }
                }
            }
        });
        return true;
    }

    static boolean col2im(Strided cols, Window2d w, Strided x) {
        if (!floating(x, cols) || !cols.isContiguous() || !x.isContiguous()) {
            return false;
        }
        int[] sh = x.shape();
        int h = sh[2];
        int wd = sh[3];
        int k = w.kH() * w.kW();
        int l = w.oH() * w.oW();
        Object xa = ((CpuStorage) x.storage()).array();
        Object ca = ((CpuStorage) cols.storage()).array();
        Parallel.parallelFor(0, sh[0] * sh[1], 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int plane = x.offset() + nc * h * wd;
                zero(xa, plane, h * wd);
                for (int kh = 0; kh < w.kH(); kh++) {
                    for (int kw = 0; kw < w.kW(); kw++) {
                        int row = cols.offset() + (nc * k + kh * w.kW() + kw) * l;
                        int shiftW = kw * w.dW() - w.pW();
                        int lo = first(shiftW, w.sW());
                        int hi = end(wd, w.oW(), shiftW, w.sW());
                        for (int oh = 0; oh < w.oH() && lo < hi; oh++) {
                            int ih = oh * w.sH() - w.pH() + kh * w.dH();
                            if (ih >= 0 && ih < h) {
                                add(ca, row + oh * w.oW() + lo, xa, plane + ih * wd + lo * w.sW() + shiftW, w.sW(),
                                        hi - lo);
                            }
                        }
                    }
                }
            }
        });
        return true;
    }

    private static void zero(Object a, int from, int n) {
        if (n <= 0) {
            return;
        }
        if (a instanceof float[] f) {
            java.util.Arrays.fill(f, from, from + n, 0f);
        } else {
            java.util.Arrays.fill((double[]) a, from, from + n, 0.0);
        }
    }

    /** dst[d0 + i] = src[s0 + i * stride] for i < n. */
    private static void copy(Object src, int s0, int stride, Object dst, int d0, int n) {
        if (n <= 0) {
            return; // no window position inside the image (s0 may then point outside it)
        }
        if (stride == 1) {
            System.arraycopy(src, s0, dst, d0, n);
        } else if (src instanceof float[] s) {
            float[] d = (float[]) dst;
            for (int i = 0; i < n; i++) {
                d[d0 + i] = s[s0 + i * stride];
            }
        } else {
            double[] s = (double[]) src;
            double[] d = (double[]) dst;
            for (int i = 0; i < n; i++) {
                d[d0 + i] = s[s0 + i * stride];
            }
        }
    }

    /** dst[d0 + i * stride] += src[s0 + i] for i < n, in the element type's arithmetic. */
    private static void add(Object src, int s0, Object dst, int d0, int stride, int n) {
        if (src instanceof float[] s) {
            float[] d = (float[]) dst;
            for (int i = 0; i < n; i++) {
                d[d0 + i * stride] += s[s0 + i];
            }
        } else {
            double[] s = (double[]) src;
            double[] d = (double[]) dst;
            for (int i = 0; i < n; i++) {
                d[d0 + i * stride] += s[s0 + i];
            }
        }
    }
}
