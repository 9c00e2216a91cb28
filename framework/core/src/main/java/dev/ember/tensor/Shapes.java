package dev.ember.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by every op: broadcasting, dim wrapping, strides, and the messages about them. */
final class Shapes {
    private Shapes() {
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements, "
                        + "the most one CPU tensor can hold");
            }
        }
        return (int) n;
    }

    static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return st;
    }

    /** Converts a user's long shape to ints, rejecting negative sizes. */
    static int[] toInts(String op, long[] shape) {
        int[] r = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " at dimension " + i
                        + " of shape " + Arrays.toString(shape) + " (sizes must be non-negative)");
            }
            r[i] = (int) shape[i];
        }
        numel(r);
        return r;
    }

    static long[] toLongs(int[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[i];
        }
        return r;
    }

    /** Wraps a possibly negative dim into [0, rank); rank 0 tensors accept dims -1 and 0 as PyTorch does. */
    static int wrapDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IllegalArgumentException(op + ": dimension out of range (expected to be in range of [" + (-r)
                    + ", " + (r - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Wrapped, de-duplicated dims; an empty array means every dim. */
    static int[] wrapDims(String op, int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        int[] r = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            r[i] = wrapDim(op, dims[i], rank);
            if (seen[r[i]]) {
                throw new IllegalArgumentException(op + ": dim " + r[i] + " appears multiple times in the list of dims");
            }
            seen[r[i]] = true;
        }
        if (rank == 0) {
            return new int[0];
        }
        Arrays.sort(r);
        return r;
    }

    /** PyTorch broadcasting: align trailing dims; each pair must be equal or contain a 1. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int y = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: the size of dimension " + i + " (" + x + " vs " + y
                        + ") must match or be 1");
            }
            r[i] = x == 1 ? y : x;
        }
        return r;
    }

    /** Strides that view a tensor of {@code shape}/{@code strides} as {@code target} (stride 0 where broadcast). */
    static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] r = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            r[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return r;
    }
}
