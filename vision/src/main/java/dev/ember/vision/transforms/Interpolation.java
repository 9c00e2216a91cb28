package dev.ember.vision.transforms;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * Resampling of {@code (..., H, W)} float tensors, as {@code torch.nn.functional.interpolate} computes it on the
 * CPU (PyTorch 1.13, {@code aten/src/ATen/native/UpSample.h}): the source coordinates are computed in float32
 * for float32 images, as PyTorch does, so that rounding down to a source index happens at the same places.
 */
final class Interpolation {
    private Interpolation() {
    }

    /** {@code interpolate(img, size=(outH, outW), mode, align_corners=False)}; bilinear has no antialiasing. */
    static Tensor resize(Tensor img, int outH, int outW, InterpolationMode mode) {
        Planes p = Planes.ofFloat("resize", img, 2);
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize: output size must be positive, got " + outH + " x " + outW);
        }
        if (p.height == 0 || p.width == 0) {
            throw new IllegalArgumentException("resize: cannot resize an empty image of " + p.height + " x "
                    + p.width);
        }
        if (outH == p.height && outW == p.width) {
            return img; // torchvision returns the input unchanged
        }
        return mode == InterpolationMode.NEAREST ? nearest(p, outH, outW) : bilinear(p, outH, outW);
    }

    private static Tensor nearest(Planes p, int outH, int outW) {
        int[] rows = nearestIndex(p.height, outH);
        int[] cols = nearestIndex(p.width, outW);
        double[] out = p.allocate("resize", outH, outW);
        int inPlane = p.height * p.width;
        int o = 0;
        for (int c = 0; c < p.count; c++) {
            for (int r : rows) {
                int base = c * inPlane + r * p.width;
                for (int col : cols) {
                    out[o++] = p.data[base + col];
                }
            }
        }
        return p.pack(out, outH, outW);
    }

    /** PyTorch's {@code nearest_idx}: the scale is a float whatever the dtype. */
    static int[] nearestIndex(int in, int out) {
        int[] idx = new int[out];
        float scale = (float) in / (float) out;
        for (int i = 0; i < out; i++) {
            if (out == in) {
                idx[i] = i;
            } else if (out == 2 * in) {
                idx[i] = i >> 1;
            } else {
                idx[i] = Math.min((int) Math.floor((float) i * scale), in - 1);
            }
        }
        return idx;
    }

    private static Tensor bilinear(Planes p, int outH, int outW) {
        boolean f32 = p.dtype == DType.FLOAT32;
        Linear ys = Linear.of(p.height, outH, f32);
        Linear xs = Linear.of(p.width, outW, f32);
        double[] out = p.allocate("resize", outH, outW);
        int inPlane = p.height * p.width;
        double[] d = p.data;
        int o = 0;
        for (int c = 0; c < p.count; c++) {
            int plane = c * inPlane;
            for (int y = 0; y < outH; y++) {
                int r0 = plane + ys.i0[y] * p.width;
                int r1 = plane + ys.i1[y] * p.width;
                double h0 = ys.l0[y];
                double h1 = ys.l1[y];
                for (int x = 0; x < outW; x++) {
                    int c0 = xs.i0[x];
                    int c1 = xs.i1[x];
                    double w0 = xs.l0[x];
                    double w1 = xs.l1[x];
                    out[o++] = h0 * (w0 * d[r0 + c0] + w1 * d[r0 + c1]) + h1 * (w0 * d[r1 + c0] + w1 * d[r1 + c1]);
                }
            }
        }
        return p.pack(out, outH, outW);
    }

    /** For each output index: the two source indices and their weights ({@code align_corners=False}). */
    private record Linear(int[] i0, int[] i1, double[] l0, double[] l1) {
        static Linear of(int in, int out, boolean f32) {
            int[] i0 = new int[out];
            int[] i1 = new int[out];
            double[] l0 = new double[out];
            double[] l1 = new double[out];
            float scaleF = (float) in / (float) out;
            double scaleD = (double) in / out;
            for (int i = 0; i < out; i++) {
                double src;
                if (f32) {
                    float s = scaleF * ((float) i + 0.5f) - 0.5f;
                    src = s < 0f ? 0f : s;
                } else {
                    double s = scaleD * (i + 0.5) - 0.5;
                    src = s < 0 ? 0 : s;
                }
                int lo = (int) src;
                double lambda = f32 ? (float) src - (float) lo : src - lo;
                i0[i] = lo;
                i1[i] = lo + (lo < in - 1 ? 1 : 0);
                l1[i] = lambda;
                l0[i] = f32 ? 1f - (float) lambda : 1 - lambda;
            }
            return new Linear(i0, i1, l0, l1);
        }
    }
}
