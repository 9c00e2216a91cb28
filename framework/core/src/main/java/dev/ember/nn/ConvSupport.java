package dev.ember.nn;

import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** What Conv1d, Conv2d and ConvTranspose2d share: argument checks, initialisation, padding and printing. */
final class ConvSupport {
    private ConvSupport() {
    }

    static final List<String> PADDING_MODES = List.of("zeros", "reflect", "replicate", "circular");

    static void checkChannels(String layer, long in, long out, long groups) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException(layer + ": in_channels and out_channels must be positive, got " + in
                    + " and " + out);
        }
        if (groups < 1) {
            throw new IllegalArgumentException(layer + ": groups must be a positive integer, got " + groups);
        }
        if (in % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels must be divisible by groups (in_channels=" + in
                    + ", groups=" + groups + ")");
        }
        if (out % groups != 0) {
            throw new IllegalArgumentException(layer + ": out_channels must be divisible by groups (out_channels="
                    + out + ", groups=" + groups + ")");
        }
    }

    /** Kernel, stride, dilation (positive) and padding (non-negative) of {@code dims} values each. */
    static long[] sizes(String layer, String what, long[] v, int dims, long min) {
        if (v == null || v.length != dims) {
            throw new IllegalArgumentException(layer + ": expected " + what + " to have " + dims + " element"
                    + (dims == 1 ? "" : "s") + ", got " + Arrays.toString(v));
        }
        for (long x : v) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + what + " must be " + (min == 0 ? "non-negative"
                        : "positive") + ", got " + Arrays.toString(v));
            }
        }
        return v.clone();
    }

    static void checkPadding(String layer, String padding, long[] stride) {
        if (!padding.equals("same") && !padding.equals("valid")) {
            throw new IllegalArgumentException(layer + ": invalid padding string '" + padding
                    + "', should be one of [valid, same]");
        }
        if (padding.equals("same")) {
            for (long s : stride) {
                if (s != 1) {
                    throw new IllegalArgumentException(layer + ": padding='same' is not supported for strided "
                            + "convolutions (stride " + Arrays.toString(stride) + ")");
                }
            }
        }
    }

    static void checkPaddingMode(String layer, String mode) {
        if (!PADDING_MODES.contains(mode)) {
            throw new IllegalArgumentException(layer + ": padding_mode must be one of " + PADDING_MODES
                    + ", but got padding_mode='" + mode + "'");
        }
    }

    /** PyTorch's reset_parameters: kaiming_uniform(a=sqrt(5)) weight, bias U(+-1/sqrt(fan_in)). */
    static void reset(Tensor weight, Tensor bias) {
        Init.kaimingUniform(weight, Math.sqrt(5), "fan_in", "leaky_relu");
        if (bias != null) {
            long fanIn = Init.fans(weight)[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            Init.uniform(bias, -bound, bound);
        }
    }

    /**
     * The explicit padding for a non-zeros padding mode, in F.pad's order (last dim first, left then right):
     * numeric padding on both sides; "same" splits dilation*(k-1) with the odd one on the right.
     */
    static long[] explicitPadding(long[] kernel, long[] dilation, long[] padding, String paddingString) {
        int n = kernel.length;
        long[] pad = new long[2 * n];
        for (int i = 0; i < n; i++) {
            long left;
            long right;
            if (paddingString == null) {
                left = padding[i];
                right = padding[i];
            } else if (paddingString.equals("same")) {
                long total = dilation[i] * (kernel[i] - 1);
                left = total / 2;
                right = total - left;
            } else {
                left = 0;
                right = 0;
            }
            pad[2 * (n - 1 - i)] = left;
            pad[2 * (n - 1 - i) + 1] = right;
        }
        return pad;
    }

    /** PyTorch's _ConvNd.extra_repr; {@code outputPadding} is null for ordinary convolutions. */
    static String repr(long in, long out, long[] kernel, long[] stride, long[] padding, String paddingString,
                       long[] dilation, long[] outputPadding, long groups, boolean bias, String paddingMode) {
        StringBuilder s = new StringBuilder();
        s.append(in).append(", ").append(out).append(", kernel_size=").append(Repr.pyTuple(kernel))
                .append(", stride=").append(Repr.pyTuple(stride));
        if (paddingString != null) {
            s.append(", padding=").append(paddingString);
        } else if (!all(padding, 0)) {
            s.append(", padding=").append(Repr.pyTuple(padding));
        }
        if (!all(dilation, 1)) {
            s.append(", dilation=").append(Repr.pyTuple(dilation));
        }
        if (outputPadding != null && !all(outputPadding, 0)) {
            s.append(", output_padding=").append(Repr.pyTuple(outputPadding));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (!bias) {
            s.append(", bias=False");
        }
        if (!paddingMode.equals("zeros")) {
            s.append(", padding_mode=").append(paddingMode);
        }
        return s.toString();
    }

    private static boolean all(long[] v, long value) {
        for (long x : v) {
            if (x != value) {
                return false;
            }
        }
        return true;
    }

    /** A window argument as the user gave it: a number, or a tuple. */
    static String given(long[] v, boolean scalar) {
        return scalar ? Long.toString(v[0]) : Repr.pyTuple(v);
    }
}
