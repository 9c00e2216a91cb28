package dev.ember.cuda;

import static dev.ember.cuda.CudaBackend.at;
import static dev.ember.cuda.CudaBackend.sfx;

import dev.ember.backend.Strided;
import dev.ember.tensor.DType;

/**
 * Scaled dot-product attention in one launch each way (attention.cu), on (N, H, rows, D) operands (N H batch
 * entries, each at a sample and a head stride): for sequences of at most 256 keys and heads of at most 128 dims,
 * when a batch entry's K and V (forward) or its Q, dO, K, V and probabilities (backward) fit in one block's shared
 * memory; otherwise the methods return false and the tensor layer runs the composite.
 */
final class CudaAttention {
    private static final int MAX_KEYS = 256;
    private static final int MAX_DIM = 128;
    /** Warps per forward block (attention.cu's WARPS): each has a query row and its probabilities in shared memory. */
    private static final int WARPS = 4;
    /** At most this much shared memory per block, and no more than the GPU grants. */
    private static final long MAX_SHARED = 160 * 1024;

    private CudaAttention() {
    }

    /** Whether q, k (and the output or gradient) can go to the kernels, all (N, H, rows, D). */
    private static boolean fits(Strided q, Strided k, Strided out, long shared) {
        DType t = q.dtype();
        int[] s = k.shape();
        long limit = Math.min(MAX_SHARED, CudaRuntime.get().driver.maxSharedPerBlock());
        return (t == DType.FLOAT32 || t == DType.FLOAT64) && s[2] <= MAX_KEYS && s[3] <= MAX_DIM
                && out.strides()[3] == 1 && shared <= limit && (long) s[0] * s[1] <= Integer.MAX_VALUE;
    }

    /** An operand's address and its sample, head and row strides. */
    private static Object[] operand(Strided x) {
        int[] st = x.strides();
        return new Object[] {at(x), st[0], st[1], st[2]};
    }

    /** The kernels' common arguments: L, S, D, H, scale, then q, k, v and bias with their strides. */
    private static Object[] common(Strided q, Strided k, Strided v, Strided bias, double scale) {
        Object[] b = bias == null ? new Object[] {null, 0, 0, 0, 0}
                : concat(operand(bias), new Object[] {bias.strides()[3]});
        return concat(new Object[] {q.shape()[2], k.shape()[2], q.shape()[3], q.shape()[1], scale}, operand(q),
                operand(k), operand(v), b);
    }

    private static Object[] concat(Object[]... parts) {
        int n = 0;
        for (Object[] p : parts) {
            n += p.length;
        }
        Object[] all = new Object[n];
        int at = 0;
        for (Object[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static boolean forward(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out, Strided lse) {
        long batch = (long) q.shape()[0] * q.shape()[1];
        int l = q.shape()[2];
        int s = k.shape()[2];
        int d = q.shape()[3];
        long shared = (2L * s * (d + 1) + (long) WARPS * (d + s)) * CudaStorage.elementSize(q.dtype());
        if (!fits(q, k, out, shared) || batch > 65535) {
            return false;
        }
        CudaRuntime.get().kernels.launch("attention_" + sfx(q), (l + 31) / 32, (int) batch, 1, 32 * WARPS,
                (int) shared, concat(common(q, k, v, bias, scale), operand(out), new Object[] {at(lse)}));
        return true;
    }

    static boolean backward(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out, Strided lse,
                            Strided gradOut, Strided gq, Strided gk, Strided gv) {
        long batch = (long) q.shape()[0] * q.shape()[1];
        int l = q.shape()[2];
        int s = k.shape()[2];
        int d = q.shape()[3];
        long shared = ((2L * l + 2L * s) * (d + 1) + (long) l * (s + 1) + 2L * l)
                * CudaStorage.elementSize(q.dtype());
        if (!fits(q, k, gradOut, shared)) {
            return false;
        }
        CudaRuntime.get().kernels.launch("attention_backward_" + sfx(q), (int) batch, 1, 1, 256, (int) shared,
                concat(common(q, k, v, bias, scale), operand(out), new Object[] {at(lse)}, operand(gradOut),
                        operand(gq), operand(gk), operand(gv)));
        return true;
    }
}
