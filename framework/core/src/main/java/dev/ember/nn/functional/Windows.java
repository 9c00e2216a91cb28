package dev.ember.nn.functional;

import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Argument checks and output sizes shared by the convolution and pooling functions. */
final class Windows {
    private Windows() {
    }

    /** A (height, width) argument: exactly two values, each at least {@code min}. */
    static long[] pair(String op, String what, long[] v, long min) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(op + ": expected " + what + " to be a pair (height, width), got "
                    + Arrays.toString(v));
        }
        for (long x : v) {
            if (x < min) {
                throw new IllegalArgumentException(op + ": " + what + " must be "
                        + (min == 0 ? "non-negative" : "at least " + min) + ", got " + Arrays.toString(v));
            }
        }
        return v.clone();
    }

    /** Input, weight and bias (which may be null) share one floating point dtype. */
    static void sameFloatDType(String op, Tensor x, Tensor weight, Tensor bias) {
        if (!x.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating point input, got "
                    + x.dtype().torchName());
        }
        if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": input, weight and bias must have the same dtype, got input "
                    + x.dtype().torchName() + ", weight " + weight.dtype().torchName()
                    + (bias == null ? "" : ", bias " + bias.dtype().torchName()));
        }
    }

    /**
     * PyTorch's pooling output size: floor (or with {@code ceilMode} ceil) of (in + 2*pad - dilation*(k-1) - 1) /
     * stride, plus one; in ceil mode the last window must start inside the input or the left padding.
     */
    static long poolOutput(long in, long k, long stride, long pad, long dilation, boolean ceilMode) {
        long out = Math.floorDiv(in + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** Whether every value fits an int (the backends' window parameters are ints). */
    static boolean fitsInt(long[]... pairs) {
        for (long[] v : pairs) {
            for (long x : v) {
                if (x != (int) x) {
                    return false;
                }
            }
        }
        return true;
    }
}
