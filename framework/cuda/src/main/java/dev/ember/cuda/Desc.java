package dev.ember.cuda;

import dev.ember.backend.Strided;

/**
 * The {@code Desc} struct kernels receive by value (ABI.md): {@code {ndim, offset, shape[8], stride[8]}} as 18
 * ints. Before encoding, the operands of one launch are coalesced together: size-1 dims are dropped and
 * neighbouring dims merge wherever they are contiguous for every operand, so most launches arrive 1-D and the
 * kernels' fast path applies.
 */
final class Desc {
    static final int MAXD = 8;
    static final int INTS = 2 + 2 * MAXD;

    private Desc() {
    }

    /**
     * Coalesces operands sharing one logical shape. Returns {@code [shape, strides of operand 0, ...]} with at
     * most as many dims as the input (0 dims for a single element).
     */
    static int[][] coalesce(int[] shape, int[]... strides) {
        int ops = strides.length;
        int[] outShape = new int[shape.length];
        int[][] outStrides = new int[ops][shape.length];
        int nd = 0;
        // walk from the innermost dim outwards, merging a dim into the current one where contiguous for all
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = nd > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = strides[k][d] == (long) outStrides[k][nd - 1] * outShape[nd - 1];
            }
            if (merge) {
                outShape[nd - 1] *= shape[d];
            } else {
                outShape[nd] = shape[d];
                for (int k = 0; k < ops; k++) {
                    outStrides[k][nd] = strides[k][d];
                }
                nd++;
            }
        }
        int[][] result = new int[ops + 1][nd];
        for (int i = 0; i < nd; i++) {
            result[0][i] = outShape[nd - 1 - i];
            for (int k = 0; k < ops; k++) {
                result[k + 1][i] = outStrides[k][nd - 1 - i];
            }
        }
        return result;
    }

    /** The struct for one operand; null when it has more dims than kernels handle. */
    static int[] encode(int[] shape, int[] stride, int offset) {
        if (shape.length > MAXD) {
            return null;
        }
        int[] d = new int[INTS];
        d[0] = shape.length;
        d[1] = offset;
        System.arraycopy(shape, 0, d, 2, shape.length);
        System.arraycopy(stride, 0, d, 2 + MAXD, shape.length);
        return d;
    }

    /**
     * The coalesced structs of operands of equal shape, in order; null when they need more than {@link #MAXD}
     * dims even after merging (the caller then falls back to the host).
     */
    static int[][] of(Strided... operands) {
        int[][] strides = new int[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            strides[i] = operands[i].strides();
        }
        int[][] c = coalesce(operands[0].shape(), strides);
        int[][] out = new int[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            out[i] = encode(c[0], c[i + 1], operands[i].offset());
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }
}
