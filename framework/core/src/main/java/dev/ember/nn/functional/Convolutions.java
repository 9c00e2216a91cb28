package dev.ember.nn.functional;

import dev.ember.backend.Window2d;
import dev.ember.tensor.FusedConv;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * Convolutions as PyTorch's {@code F.conv1d}, {@code F.conv2d} and {@code F.conv_transpose2d}, plus
 * {@code F.unfold} / {@code F.fold}. A convolution runs the backend's direct kernels when it has them
 * ({@link FusedConv}: one graph node; the CPU's take float32 with stride 1 and one group); otherwise, and as the
 * reference, it is im2col ({@link Tensor#im2col}) followed by one batched matrix product with the weight, so its
 * gradients come from autograd through matmul and im2col (whose backward is col2im). A transposed convolution is
 * the composite in reverse: matmul, then col2im. Conv1d is conv2d
 * over a height of 1. Inputs may be batched (N, C, ...) or unbatched (C, ...), as in PyTorch.
 */
public final class Convolutions {
    private Convolutions() {
    }

    // ---------------------------------------------------------------- conv1d

    public static Tensor conv1d(Tensor input, Tensor weight) {
        return conv1d(input, weight, null, 1, 0, 1, 1);
    }

    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
        return conv1d(input, weight, bias, 1, 0, 1, 1);
    }

    /**
     * input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, k), bias (C_out) or null -> (N, C_out, L_out)
     * with L_out = floor((L + 2*padding - dilation*(k-1) - 1) / stride) + 1.
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, long stride, long padding, long dilation,
                                long groups) {
        check1d(input, weight);
        Tensor out = conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias, new long[] {1, stride},
                new long[] {0, padding}, new long[] {1, dilation}, groups, "conv1d");
        return out.squeeze(-2);
    }

    /** conv1d with padding "valid" (none) or "same" (output length = input length; stride must be 1). */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, long stride, String padding, long dilation,
                                long groups) {
        check1d(input, weight);
        Tensor out = conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias, new long[] {1, stride}, padding,
                new long[] {1, dilation}, groups, "conv1d");
        return out.squeeze(-2);
    }

    private static void check1d(Tensor input, Tensor weight) {
        if (input.dim() != 2 && input.dim() != 3) {
            throw new IllegalArgumentException("conv1d: expected 2D (unbatched) or 3D (batched) input, but got input "
                    + "of size " + Arrays.toString(input.shape()));
        }
        if (weight.dim() != 3) {
            throw new IllegalArgumentException("conv1d: expected a 3-D weight (out_channels, in_channels/groups, "
                    + "kernel_size), but got weight of size " + Arrays.toString(weight.shape()));
        }
    }

    // ---------------------------------------------------------------- conv2d

    public static Tensor conv2d(Tensor input, Tensor weight) {
        return conv2d(input, weight, null);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return conv2d(input, weight, bias, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1);
    }

    /**
     * input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in/groups, kH, kW), bias (C_out) or null ->
     * (N, C_out, H_out, W_out) with H_out = floor((H + 2*padding[0] - dilation[0]*(kH-1) - 1) / stride[0]) + 1
     * (W_out alike). stride, padding and dilation are (height, width) pairs; zero padding.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding,
                                long[] dilation, long groups) {
        return conv2d(input, weight, bias, stride, padding, dilation, groups, "conv2d");
    }

    /**
     * conv2d with padding "valid" (none) or "same" (output size = input size; stride must be 1). An odd total
     * padding {@code dilation*(k-1)} puts the extra row or column at the bottom or right, as PyTorch does.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, String padding,
                                long[] dilation, long groups) {
        return conv2d(input, weight, bias, stride, padding, dilation, groups, "conv2d");
    }

    private static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, String padding,
                                 long[] dilation, long groups, String op) {
        long[] s = Windows.pair(op, "stride", stride, 1);
        long[] d = Windows.pair(op, "dilation", dilation, 1);
        if (padding.equals("valid")) {
            return conv2d(input, weight, bias, s, new long[] {0, 0}, d, groups, op);
        }
        if (!padding.equals("same")) {
            throw new IllegalArgumentException(op + ": invalid padding string '" + padding
                    + "', should be one of 'valid', 'same'");
        }
        if (s[0] != 1 || s[1] != 1) {
            throw new IllegalArgumentException(op + ": padding='same' is not supported for strided convolutions "
                    + "(stride " + Arrays.toString(stride) + ")");
        }
        if (weight.dim() != 4) {
            checkWeight(op, input, weight, groups); // throws with the weight's shape
        }
        long[] left = new long[2];
        long[] extra = new long[2];
        for (int i = 0; i < 2; i++) {
            long total = d[i] * (weight.size(2 + i) - 1);
            left[i] = total / 2;
            extra[i] = total - 2 * left[i];
        }
        Tensor x = input;
        if (extra[0] != 0 || extra[1] != 0) {
            x = Padding.pad(x, new long[] {0, extra[1], 0, extra[0]});
        }
        return conv2d(x, weight, bias, s, left, d, groups, op);
    }

    private static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding,
                                 long[] dilation, long groups, String op) {
        long[] s = Windows.pair(op, "stride", stride, 1);
        long[] p = Windows.pair(op, "padding", padding, 0);
        long[] d = Windows.pair(op, "dilation", dilation, 1);
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 3D (unbatched) or 4D (batched) input, but got input "
                    + "of size " + Arrays.toString(input.shape()));
        }
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        checkWeight(op, x, weight, groups);
        checkBias(op, weight.size(0), bias);
        Windows.sameFloatDType(op, x, weight, bias);
        long n = x.size(0);
        long cout = weight.size(0);
        long[] k = {weight.size(2), weight.size(3)};
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            long padded = x.size(2 + i) + 2 * p[i];
            long effective = d[i] * (k[i] - 1) + 1;
            if (padded < effective) {
                throw new IllegalArgumentException(op + ": calculated padded input size per channel: (" + padded(x, p)
                        + "). Kernel size: (" + (d[0] * (k[0] - 1) + 1) + " x " + (d[1] * (k[1] - 1) + 1)
                        + "). Kernel size can't be greater than actual input size (input " + Arrays.toString(input.shape())
                        + ", weight " + Arrays.toString(weight.shape()) + ")");
            }
            out[i] = (padded - effective) / s[i] + 1;
        }
        if (groups == 1 && Windows.fitsInt(k, d, p, s, out)) {
            // the backend's direct kernels when it has them (the CPU's: float32, stride 1), else the composite
            Tensor direct = FusedConv.conv2d(x, weight, bias, new Window2d((int) k[0], (int) k[1], (int) d[0],
                    (int) d[1], (int) p[0], (int) p[1], (int) s[0], (int) s[1], (int) out[0], (int) out[1]));
            if (direct != null) {
                return unbatched ? direct.squeeze(0) : direct;
            }
        }
        Tensor cols = x.im2col(k, d, p, s); // (N, C_in*kH*kW, L)
        Tensor y;
        if (groups == 1) {
            Tensor w = weight.reshape(cout, -1); // (C_out, C_in*K) @ (N, C_in*K, L), the bias in the product's kernel
            y = bias == null ? w.matmul(cols) : bias.reshape(cout, 1).baddbmm(w.expand(n, cout, w.size(1)), cols);
        } else {
            // channel c of group g is row block g of the columns, so both sides split into (groups, ...) blocks
            y = weight.reshape(groups, cout / groups, -1).matmul(cols.reshape(n, groups, -1, cols.size(2)));
        }
        y = y.reshape(n, cout, out[0], out[1]);
        if (bias != null && groups != 1) {
            y = y.add(bias.reshape(1, cout, 1, 1));
        }
        return unbatched ? y.squeeze(0) : y;
    }

    private static String padded(Tensor x, long[] p) {
        return (x.size(2) + 2 * p[0]) + " x " + (x.size(3) + 2 * p[1]);
    }

    private static void checkWeight(String op, Tensor x, Tensor weight, long groups) {
        if (groups < 1) {
            throw new IllegalArgumentException(op + ": non-positive groups is not supported, got " + groups);
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-D weight (out_channels, in_channels/groups, kH, "
                    + "kW), but got weight of size " + Arrays.toString(weight.shape()));
        }
        if (weight.size(0) % groups != 0) {
            throw new IllegalArgumentException(op + ": given groups=" + groups + ", expected weight to be divisible by "
                    + groups + " at dimension 0, but got weight of size " + Arrays.toString(weight.shape()));
        }
        if (x.size(1) != weight.size(1) * groups) {
            throw new IllegalArgumentException(op + ": given groups=" + groups + ", weight of size "
                    + Arrays.toString(weight.shape()) + ", expected input" + Arrays.toString(x.shape()) + " to have "
                    + weight.size(1) * groups + " channels, but got " + x.size(1) + " channels instead");
        }
    }

    private static void checkBias(String op, long channels, Tensor bias) {
        if (bias != null && (bias.dim() != 1 || bias.size(0) != channels)) {
            throw new IllegalArgumentException(op + ": expected bias to be 1-dimensional with " + channels
                    + " elements, but got bias of size " + Arrays.toString(bias.shape()));
        }
    }

    // ---------------------------------------------------------------- conv_transpose2d

    public static Tensor convTranspose2d(Tensor input, Tensor weight) {
        return convTranspose2d(input, weight, null);
    }

    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
        return convTranspose2d(input, weight, bias, new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0}, 1,
                new long[] {1, 1});
    }

    /**
     * The gradient of conv2d with respect to its input, as a layer (argument order as PyTorch's):
     * input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kH, kW), bias (C_out) or null ->
     * (N, C_out, H_out, W_out) with H_out = (H-1)*stride[0] - 2*padding[0] + dilation[0]*(kH-1) +
     * outputPadding[0] + 1. outputPadding (smaller than stride or dilation) adds rows and columns at the bottom
     * and right that the padding would otherwise have removed.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding,
                                         long[] outputPadding, long groups, long[] dilation) {
        String op = "conv_transpose2d";
        long[] s = Windows.pair(op, "stride", stride, 1);
        long[] p = Windows.pair(op, "padding", padding, 0);
        long[] op2 = Windows.pair(op, "output_padding", outputPadding, 0);
        long[] d = Windows.pair(op, "dilation", dilation, 1);
        for (int i = 0; i < 2; i++) {
            if (op2[i] >= s[i] && op2[i] >= d[i]) {
                throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or "
                        + "dilation, but got output_padding " + Arrays.toString(op2) + ", stride " + Arrays.toString(s)
                        + ", dilation " + Arrays.toString(d));
            }
        }
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 3D (unbatched) or 4D (batched) input, but got input "
                    + "of size " + Arrays.toString(input.shape()));
        }
        if (groups < 1) {
            throw new IllegalArgumentException(op + ": non-positive groups is not supported, got " + groups);
        }
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        if (weight.dim() != 4 || weight.size(0) % groups != 0 || x.size(1) != weight.size(0)) {
            throw new IllegalArgumentException(op + ": given groups=" + groups + ", weight of size "
                    + Arrays.toString(weight.shape()) + " (in_channels, out_channels/groups, kH, kW), expected input"
                    + Arrays.toString(x.shape()) + " to have " + weight.size(0) + " channels, with in_channels "
                    + "divisible by groups");
        }
        long cout = weight.size(1) * groups;
        checkBias(op, cout, bias);
        Windows.sameFloatDType(op, x, weight, bias);
        long n = x.size(0);
        long h = x.size(2);
        long w = x.size(3);
        long[] k = {weight.size(2), weight.size(3)};
        long[] out = new long[2];
        long[] full = new long[2];
        boolean direct = true;
        for (int i = 0; i < 2; i++) {
            long in = x.size(2 + i);
            full[i] = (in - 1) * s[i] + d[i] * (k[i] - 1) + 1;
            out[i] = full[i] - 2 * p[i] + op2[i];
            if (out[i] < 1) {
                throw new IllegalArgumentException(op + ": given input of size " + Arrays.toString(input.shape())
                        + ", weight " + Arrays.toString(weight.shape()) + ", stride " + Arrays.toString(s) + ", padding "
                        + Arrays.toString(p) + ", the calculated output size " + out[0] + " x " + out[1]
                        + " is too small");
            }
            // col2im can write the output directly when it has exactly one block per input position
            direct &= Math.floorDiv(out[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1, s[i]) + 1 == in;
        }
        Tensor cols; // (N, C_out*kH*kW, H*W): what each input position spreads over its output window
        if (groups == 1) {
            cols = weight.reshape(weight.size(0), -1).t().matmul(x.reshape(n, x.size(1), h * w));
        } else {
            Tensor wg = weight.reshape(groups, weight.size(0) / groups, -1).transpose(1, 2);
            cols = wg.matmul(x.reshape(n, groups, -1, h * w)).reshape(n, -1, h * w);
        }
        Tensor y;
        if (direct) {
            y = cols.col2im(out, k, d, p, s);
        } else {
            // output padding of at least the stride: fold unpadded, then cut the padding off (and add zero rows)
            y = cols.col2im(full, k, d, new long[] {0, 0}, s);
            y = Padding.pad(y, new long[] {-p[1], out[1] - full[1] + p[1], -p[0], out[0] - full[0] + p[0]});
        }
        if (bias != null) {
            y = y.add(bias.reshape(1, cout, 1, 1));
        }
        return unbatched ? y.squeeze(0) : y;
    }

    // ---------------------------------------------------------------- unfold / fold

    /** Sliding blocks as columns, {@code F.unfold}: (N, C, H, W) -> (N, C*kH*kW, L). See {@link Tensor#im2col}. */
    public static Tensor unfold(Tensor input, long[] kernelSize, long[] dilation, long[] padding, long[] stride) {
        return input.im2col(kernelSize, dilation, padding, stride);
    }

    /** Sums columns back into an image, {@code F.fold}: (N, C*kH*kW, L) -> (N, C, H, W). See {@link Tensor#col2im}. */
    public static Tensor fold(Tensor input, long[] outputSize, long[] kernelSize, long[] dilation, long[] padding,
                              long[] stride) {
        return input.col2im(outputSize, kernelSize, dilation, padding, stride);
    }
}
