package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Merging dims keeps every element's offset, for every operand, in row-major order (runs without a GPU). */
class DescTest {

    /** Offsets of all elements in row-major order. */
    private static long[] offsets(int[] shape, int[] stride) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        long[] out = new long[n];
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            long o = 0;
            for (int d = 0; d < shape.length; d++) {
                o += (long) idx[d] * stride[d];
            }
            out[i] = o;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    @Test
    void coalescingPreservesOffsets() {
        Random r = new Random(1);
        for (int trial = 0; trial < 500; trial++) {
            int nd = r.nextInt(6);
            int[] shape = new int[nd];
            for (int d = 0; d < nd; d++) {
                shape[d] = 1 + r.nextInt(4);
            }
            // operand 0 contiguous, operand 1 a permutation-like layout, operand 2 broadcast in random dims
            int[][] strides = new int[3][nd];
            int acc = 1;
            for (int d = nd - 1; d >= 0; d--) {
                strides[0][d] = acc;
                acc *= shape[d];
            }
            acc = 1;
            for (int d = 0; d < nd; d++) {
                strides[1][d] = acc;
                acc *= shape[d];
            }
            for (int d = 0; d < nd; d++) {
                strides[2][d] = r.nextBoolean() ? 0 : strides[0][d];
            }
            int[][] c = Desc.coalesce(shape, strides);
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(offsets(shape, strides[k]), offsets(c[0], c[k + 1]), "operand " + k);
            }
        }
    }

    @Test
    void contiguousOperandsBecomeOneDimAndStructsHaveTheAbiLayout() {
        int[][] c = Desc.coalesce(new int[] {3, 1, 5, 7}, new int[] {35, 35, 7, 1}, new int[] {35, 1, 7, 1});
        assertArrayEquals(new int[] {105}, c[0]);
        int[] d = Desc.encode(new int[] {4, 5}, new int[] {1, 4}, 9);
        assertEquals(Desc.INTS, d.length);
        assertArrayEquals(new int[] {2, 9, 4, 5, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0}, d);
        assertEquals(0, Desc.coalesce(new int[] {1, 1}, new int[] {5, 3})[0].length);
        assertNull(Desc.encode(new int[9], new int[9], 0));
    }
}
