package dev.ember.datasets;

import java.util.Arrays;

/**
 * The contents of one IDX file of unsigned bytes: its dimensions and its row-major data.
 *
 * <p>MNIST images are {@code (N, 28, 28)}, labels {@code (N)}. Values are unsigned: read one with
 * {@link #get(int)} (0..255), not {@code data()[i]} (which is signed).
 *
 * <p>{@code dims} is copied; {@code data} is not (a full MNIST training set is 47 MB), so the caller
 * must not change the array after handing it over, nor change the one {@link #data()} returns.
 *
 * @param dims the sizes of the dimensions, outermost first, each {@code >= 0}
 * @param data the row-major elements, exactly the product of {@code dims} of them
 */
public record IdxArray(int[] dims, byte[] data) {

    public IdxArray {
        if (dims == null || data == null) {
            throw new IllegalArgumentException("IdxArray: dims and data must not be null");
        }
        if (dims.length < 1 || dims.length > Idx.MAX_DIMS) {
            throw new IllegalArgumentException(
                    "IdxArray: expected 1 to " + Idx.MAX_DIMS + " dims, got " + dims.length);
        }
        dims = dims.clone();
        long count = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("IdxArray: negative dim in " + Arrays.toString(dims));
            }
            // saturate above 2^31 instead of overflowing; a later 0 still brings the product to 0
            count = count > Integer.MAX_VALUE ? (d == 0 ? 0 : count) : count * d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("IdxArray: dims " + Arrays.toString(dims) + " need "
                    + productOrOverflow(dims) + " elements, data has " + data.length);
        }
    }

    /** A copy of the dimensions. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** The number of dimensions (3 for MNIST images, 1 for labels). */
    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code i}. */
    public int dim(int i) {
        return dims[i];
    }

    /** The number of elements. */
    public int size() {
        return data.length;
    }

    /** Element {@code i} of the row-major data as an unsigned value 0..255. */
    public int get(int i) {
        return Byte.toUnsignedInt(data[i]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray other && Arrays.equals(dims, other.dims) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dims);
    }

    private static String productOrOverflow(int[] dims) {
        long p = 1;
        for (int d : dims) {
            if (d != 0 && p > Long.MAX_VALUE / d) {
                return "more than 2^63";
            }
            p *= d;
        }
        return Long.toString(p);
    }
}
