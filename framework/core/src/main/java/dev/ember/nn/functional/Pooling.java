package dev.ember.nn.functional;

import dev.ember.backend.Window2d;
import dev.ember.tensor.FusedConv;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Pooling as PyTorch's {@code F.max_pool1d}, {@code F.max_pool2d}, {@code F.avg_pool2d} and
 * {@code F.adaptive_avg_pool2d}. Fixed-window pools pad the input explicitly (-inf for max, 0 for average, plus
 * the partial windows of ceil mode), lay the windows out as columns with {@link Tensor#im2col} and reduce over
 * them, so the gradients come from autograd: max sends each window's gradient to its first maximal element (the
 * element PyTorch's kernel picks, scanning rows then columns), average spreads it evenly. Adaptive average
 * pooling is separable and written as two small matrix products. Inputs are batched (N, C, ...) or unbatched
 * (C, ...). Max pooling runs the backend's one-pass kernels when it has them ({@link FusedConv#maxPool2d}; the CPU's
 * take float32), the composite above otherwise.
 */
public final class Pooling {
    private Pooling() {
    }

    // ---------------------------------------------------------------- max

    public static Tensor maxPool1d(Tensor input, long kernelSize) {
        return maxPool1d(input, kernelSize, kernelSize, 0, 1, false);
    }

    /** input (N, C, L) or (C, L) -> (N, C, L_out), L_out as {@link #maxPool2d} per dim. */
    public static Tensor maxPool1d(Tensor input, long kernelSize, long stride, long padding, long dilation,
                                   boolean ceilMode) {
        if (input.dim() != 2 && input.dim() != 3) {
            throw new IllegalArgumentException("max_pool1d: expected 2D or 3D (batch mode) input, but got input of "
                    + "size " + Arrays.toString(input.shape()));
        }
        Tensor out = maxPool2d(input.unsqueeze(-2), new long[] {1, kernelSize}, new long[] {1, stride},
                new long[] {0, padding}, new long[] {1, dilation}, ceilMode, "max_pool1d");
        return out.squeeze(-2);
    }

    public static Tensor maxPool2d(Tensor input, long kernelSize) {
        long[] k = {kernelSize, kernelSize};
        return maxPool2d(input, k, k, new long[] {0, 0}, new long[] {1, 1}, false);
    }

    /**
     * input (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out) with H_out = floor((H + 2*padding[0] -
     * dilation[0]*(kernelSize[0]-1) - 1) / stride[0]) + 1 (ceil with {@code ceilMode}, dropping a last window that
     * would start in the right padding). {@code stride} null means the kernel size; padding at most half the
     * kernel.
     */
    public static Tensor maxPool2d(Tensor input, long[] kernelSize, long[] stride, long[] padding, long[] dilation,
                                   boolean ceilMode) {
        return maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode, "max_pool2d");
    }

    private static Tensor maxPool2d(Tensor input, long[] kernelSize, long[] stride, long[] padding, long[] dilation,
                                    boolean ceilMode, String op) {
        long[] k = Windows.pair(op, "kernel_size", kernelSize, 1);
        long[] s = stride == null ? k : Windows.pair(op, "stride", stride, 1);
        long[] p = Windows.pair(op, "padding", padding, 0);
        long[] d = Windows.pair(op, "dilation", dilation, 1);
        Shape sh = shape(op, input, k, s, p, d, ceilMode);
        if (Windows.fitsInt(k, s, p, d)) {
            // the backend's one-pass kernels when it has them (the CPU's: float32), else the composite
            Tensor direct = FusedConv.maxPool2d(sh.x, new Window2d((int) k[0], (int) k[1], (int) d[0], (int) d[1],
                    (int) p[0], (int) p[1], (int) s[0], (int) s[1], (int) sh.ho, (int) sh.wo));
            if (direct != null) {
                return sh.unbatched ? direct.squeeze(0) : direct;
            }
        }
        Blocks b = blocks(sh, k, s, p, d, Double.NEGATIVE_INFINITY);
        return b.finish(b.cols.max(2, false));
    }

    // ---------------------------------------------------------------- average

    public static Tensor avgPool2d(Tensor input, long kernelSize) {
        long[] k = {kernelSize, kernelSize};
        return avgPool2d(input, k, k, new long[] {0, 0}, false, true, null);
    }

    /**
     * input (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), output sizes as {@link #maxPool2d} without
     * dilation. Each window's sum is divided by {@code divisorOverride} if given, else by the number of its
     * elements inside the zero-padded input ({@code countIncludePad}) or inside the input alone; windows of ceil
     * mode that reach past the padding count only their part within it, as in PyTorch.
     */
    public static Tensor avgPool2d(Tensor input, long[] kernelSize, long[] stride, long[] padding, boolean ceilMode,
                                   boolean countIncludePad, Long divisorOverride) {
        String op = "avg_pool2d";
        long[] k = Windows.pair(op, "kernel_size", kernelSize, 1);
        long[] s = stride == null ? k : Windows.pair(op, "stride", stride, 1);
        long[] p = Windows.pair(op, "padding", padding, 0);
        if (divisorOverride != null && divisorOverride == 0) {
            throw new IllegalArgumentException(op + ": divisor must be not zero");
        }
        Blocks b = blocks(op, input, k, s, p, new long[] {1, 1}, ceilMode, 0);
        long h = input.size(-2);
        long w = input.size(-1);
        double[] rows = counts(b.ho, h, k[0], s[0], p[0], countIncludePad);
        double[] cols = counts(b.wo, w, k[1], s[1], p[1], countIncludePad);
        double[] divisor = new double[(int) (b.ho * b.wo)];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                divisor[i * cols.length + j] = divisorOverride != null ? divisorOverride : rows[i] * cols[j];
            }
        }
        return b.finish(b.cols.sum(2, false).div(Tensor.of(input.dtype(), divisor, divisor.length).to(input.device())));
    }

    /** Per output position along one dim: how many of its window's elements the divisor counts. */
    private static double[] counts(long outSize, long in, long k, long s, long p, boolean includePad) {
        double[] c = new double[(int) outSize];
        for (int i = 0; i < c.length; i++) {
            long start = i * s - p;
            long end = Math.min(start + k, in + p);
            c[i] = includePad ? end - start : Math.min(end, in) - Math.max(start, 0);
        }
        return c;
    }

    // ---------------------------------------------------------------- adaptive

    public static Tensor adaptiveAvgPool2d(Tensor input, long outputSize) {
        return adaptiveAvgPool2d(input, new long[] {outputSize, outputSize});
    }

    /**
     * input (N, C, H, W) or (C, H, W) -> (N, C, outputSize[0], outputSize[1]). Output row i averages input rows
     * floor(i*H/H_out) to ceil((i+1)*H/H_out) - 1 (windows overlap when the sizes do not divide), and likewise
     * for columns, so the result is A_h @ input @ A_w^T with averaging matrices A.
     */
    public static Tensor adaptiveAvgPool2d(Tensor input, long[] outputSize) {
        String op = "adaptive_avg_pool2d";
        long[] o = Windows.pair(op, "output_size", outputSize, 0);
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 3D or 4D tensor, but got input of size "
                    + Arrays.toString(input.shape()));
        }
        requireFloat(op, input);
        long h = input.size(-2);
        long w = input.size(-1);
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException(op + ": expected input to have non-zero size for non-batch "
                    + "dimensions, but input has sizes " + Arrays.toString(input.shape()));
        }
        Tensor rows = averaging(input, o[0], h);
        Tensor cols = averaging(input, o[1], w);
        return rows.matmul(input).matmul(cols.t());
    }

    /** The (out, in) matrix whose row i averages the inputs of adaptive window i. */
    private static Tensor averaging(Tensor like, long out, long in) {
        double[] a = new double[(int) (out * in)];
        for (long i = 0; i < out; i++) {
            long start = Math.floorDiv(i * in, out);
            long end = Math.ceilDiv((i + 1) * in, out);
            for (long j = start; j < end; j++) {
                a[(int) (i * in + j)] = 1.0 / (end - start);
            }
        }
        return Tensor.of(like.dtype(), a, out, in).to(like.device());
    }

    // ---------------------------------------------------------------- windows as columns

    /** Windows of a pool as (N, C, kH*kW, H_out*W_out), with what is needed to shape the result. */
    private record Blocks(Tensor cols, long n, long c, long ho, long wo, boolean unbatched) {
        /** (N, C, H_out*W_out) reduced windows -> the pool's output shape. */
        Tensor finish(Tensor reduced) {
            Tensor y = reduced.reshape(n, c, ho, wo);
            return unbatched ? y.squeeze(0) : y;
        }
    }

    /** A validated pool: the batched input and the output size. */
    private record Shape(Tensor x, long n, long c, long h, long w, long ho, long wo, boolean unbatched) {
    }

    private static Shape shape(String op, Tensor input, long[] k, long[] s, long[] p, long[] d, boolean ceilMode) {
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 3D or 4D (batch mode) tensor for input, but got input "
                    + "of size " + Arrays.toString(input.shape()));
        }
        requireFloat(op, input);
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": pad should be smaller than or equal to half of kernel size, "
                    + "but got padding " + Arrays.toString(p) + " for kernel_size " + Arrays.toString(k));
        }
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long ho = Windows.poolOutput(h, k[0], s[0], p[0], d[0], ceilMode);
        long wo = Windows.poolOutput(w, k[1], s[1], p[1], d[1], ceilMode);
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException(op + ": given input size: (" + c + "x" + h + "x" + w + "). Calculated "
                    + "output size: (" + c + "x" + ho + "x" + wo + "). Output size is too small");
        }
        return new Shape(x, x.size(0), c, h, w, ho, wo, unbatched);
    }

    private static Blocks blocks(String op, Tensor input, long[] k, long[] s, long[] p, long[] d, boolean ceilMode,
                                 double padValue) {
        return blocks(shape(op, input, k, s, p, d, ceilMode), k, s, p, d, padValue);
    }

    private static Blocks blocks(Shape sh, long[] k, long[] s, long[] p, long[] d, double padValue) {
        Tensor x = sh.x;
        // pad (or crop) so that the windows cover the input exactly: left padding, then up to the last window's end
        long extentH = (sh.ho - 1) * s[0] + d[0] * (k[0] - 1) + 1;
        long extentW = (sh.wo - 1) * s[1] + d[1] * (k[1] - 1) + 1;
        long[] pad = {p[1], extentW - sh.w - p[1], p[0], extentH - sh.h - p[0]};
        if (pad[0] != 0 || pad[1] != 0 || pad[2] != 0 || pad[3] != 0) {
            x = Padding.pad(x, pad, "constant", padValue);
        }
        Tensor cols = x.im2col(k, d, new long[] {0, 0}, s);
        return new Blocks(cols.reshape(sh.n, sh.c, k[0] * k[1], sh.ho * sh.wo), sh.n, sh.c, sh.ho, sh.wo,
                sh.unbatched);
    }

    private static void requireFloat(String op, Tensor input) {
        if (!input.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating point input, got "
                    + input.dtype().torchName());
        }
    }
}
