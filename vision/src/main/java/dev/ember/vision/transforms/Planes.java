package dev.ember.vision.transforms;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * An image tensor {@code (..., H, W)} unpacked into row-major doubles: {@code count} planes of
 * {@code height x width} values, plane {@code p} starting at {@code p * height * width}. The transforms do
 * their arithmetic here and pack the result back into the input's dtype and leading shape, so one kernel serves
 * {@code (H, W)}, {@code (C, H, W)} and {@code (N, C, H, W)}.
 *
 * <p>Transforms are data preparation: results are new CPU tensors without autograd history.
 */
final class Planes {
    final long[] shape;
    final DType dtype;
    final int count;
    final int height;
    final int width;
    final double[] data;

    private Planes(long[] shape, DType dtype, int count, int height, int width, double[] data) {
        this.shape = shape;
        this.dtype = dtype;
        this.count = count;
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /** Unpacks {@code img}, which must have at least {@code minDims} (>= 2) dims. */
    static Planes of(String op, Tensor img, int minDims) {
        requireDims(op, img, minDims);
        long[] shape = img.shape();
        int nd = shape.length;
        int h = (int) shape[nd - 2];
        int w = (int) shape[nd - 1];
        long count = 1;
        for (int i = 0; i < nd - 2; i++) {
            count *= shape[i];
        }
        return new Planes(shape, img.dtype(), (int) count, h, w, img.toDoubleArray());
    }

    /** Like {@link #of} but also requires a floating-point dtype (resize and colour arithmetic). */
    static Planes ofFloat(String op, Tensor img, int minDims) {
        requireFloat(op, img);
        return of(op, img, minDims);
    }

    static void requireDims(String op, Tensor img, int minDims) {
        if (img == null) {
            throw new IllegalArgumentException(op + ": expected an image tensor, got null");
        }
        if (img.dim() < minDims) {
            throw new IllegalArgumentException(op + ": expected an image tensor of shape "
                    + (minDims >= 3 ? "(..., C, H, W)" : "(..., H, W)") + " with at least " + minDims
                    + " dims, got shape " + Arrays.toString(img.shape()));
        }
    }

    static void requireFloat(String op, Tensor img) {
        if (img != null && !img.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a float32 or float64 image tensor, got "
                    + img.dtype().torchName() + " (convert with toFloat() first, e.g. after ToTensor)");
        }
    }

    /** The number of channels C (dim -3); the image must have at least 3 dims. */
    static int channels(Tensor img) {
        return (int) img.size(-3);
    }

    /** Requires C (dim -3) to be one of {@code allowed}. */
    static void requireChannels(String op, Tensor img, int... allowed) {
        requireDims(op, img, 3);
        int c = channels(img);
        for (int a : allowed) {
            if (a == c) {
                return;
            }
        }
        throw new IllegalArgumentException(op + ": expected " + Arrays.toString(allowed).replace(", ", " or ")
                + " channels at dim -3 of an image (..., C, H, W), got shape " + Arrays.toString(img.shape()));
    }

    /** A tensor of this dtype with the leading shape of the input and the given height and width. */
    Tensor pack(double[] values, int newHeight, int newWidth) {
        long[] s = shape.clone();
        s[s.length - 2] = newHeight;
        s[s.length - 1] = newWidth;
        return Tensor.of(dtype, values, s);
    }

    /** A tensor of this dtype and shape. */
    Tensor pack(double[] values) {
        return Tensor.of(dtype, values, shape.clone());
    }

    /** Allocates the output of {@code count} planes of {@code h x w}, refusing sizes past a Java array. */
    double[] allocate(String op, long h, long w) {
        long n = (long) count * h * w;
        if (h < 0 || w < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": output of " + count + " planes of " + h + " x " + w
                    + " is too large (" + n + " elements, at most 2^31 - 9)");
        }
        return new double[(int) n];
    }
}
