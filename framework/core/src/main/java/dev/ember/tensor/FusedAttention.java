package dev.ember.tensor;

import dev.ember.autograd.Autograd;
import dev.ember.backend.Backend;
import dev.ember.backend.Strided;
import java.util.Arrays;

/**
 * Scaled dot-product attention, {@code softmax(scale q k^T + bias) v}, as one graph node over the backend's
 * attention kernels ({@link Backend#attention}, {@link Backend#attentionBackward}), named after PyTorch's fused
 * kernel's node, {@code ScaledDotProductEfficientAttentionBackward0}. The composite it stands in for records a
 * product, an addition, a softmax and a product, and lays the heads out with copies; here q, k and v are read in
 * place (the heads of a projection's output are views with a sample and a head stride) and the output is written
 * in the layout multi-head attention concatenates heads in. Null when the backend has no kernel for these operands
 * (the CPU has none): the caller runs the composite.
 */
public final class FusedAttention {
    private FusedAttention() {
    }

    /**
     * @param q     (N, H, L, D) or (N, L, D), any strides but a contiguous last dim
     * @param k     (N, H, S, D) or (N, S, D), the same
     * @param v     like k
     * @param bias  null, or broadcastable to q's batch dims and (L, S), not requiring a gradient (an attention mask)
     * @param scale the factor of the scores, 1/sqrt(D) in attention
     * @return q's shape, a view of a contiguous (L, N, H, D) or (L, N, D) buffer (so that moving L to the front
     *         gives a contiguous tensor); null when declined
     */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        int dims = q.dim();
        if ((dims != 3 && dims != 4) || k.dim() != dims || v.dim() != dims || !q.dtype().isFloatingPoint()
                || !Arrays.equals(k.shape, v.shape) || q.numel() == 0 || k.numel() == 0) {
            return null;
        }
        for (int i = 0; i < dims; i++) {
            if (i != dims - 2 && q.shape[i] != k.shape[i]) {
                return null;
            }
        }
        for (Tensor t : new Tensor[] {k, v, bias}) {
            if (t != null && (t.dtype() != q.dtype() || !t.device().equals(q.device()))) {
                return null;
            }
        }
        for (Tensor t : new Tensor[] {q, k, v}) {
            if (t.strides[dims - 1] != 1) {
                return null;
            }
        }
        int l = q.shape[dims - 2];
        int d = q.shape[dims - 1];
        int[] scores = q.shape.clone();
        scores[dims - 1] = k.shape[dims - 2];
        Tensor b = null;
        if (bias != null) {
            if (bias.requiresGrad() || bias.dim() > dims || !broadcasts(bias.shape, scores)) {
                return null;
            }
            b = bias.expand(Shapes.toLongs(scores));
        }
        // the output: q's shape over a buffer with the rows (L) outermost
        int[] bufShape = new int[dims];
        bufShape[0] = l;
        System.arraycopy(q.shape, 0, bufShape, 1, dims - 2);
        bufShape[dims - 1] = d;
        Tensor buf = Creation.output(q.dtype(), bufShape, q);
        int[] outStrides = new int[dims];
        int batch = 1;
        for (int i = dims - 3; i >= 0; i--) {
            outStrides[i] = d * batch;
            batch *= q.shape[i];
        }
        outStrides[dims - 2] = batch * d;
        outStrides[dims - 1] = 1;
        Tensor out = new Tensor(buf.storage, q.shape.clone(), outStrides, 0, null);
        Tensor lse = Creation.output(q.dtype(), new int[] {batch, l}, q);
        if (!q.backend().attention(four(q), four(k), four(v), b == null ? null : four(b), scale, four(out),
                lse.strided())) {
            return null;
        }
        Tensor mask = b;
        // new buffers, one per input
        return Graph.recordFresh("ScaledDotProductEfficientAttentionBackward0", out, new Tensor[] {q, k, v},
                new Tensor[] {q, k, v, out}, g -> backward(g, q, k, v, mask, scale, out, lse));
    }

    /** A 4-D description (N, H, rows, cols) of a 3-D or 4-D tensor: a 3-D one gets H = 1. */
    private static Strided four(Tensor t) {
        if (t.dim() == 4) {
            return t.strided();
        }
        return new Strided(t.storage, new int[] {t.shape[0], 1, t.shape[1], t.shape[2]},
                new int[] {t.strides[0], 0, t.strides[1], t.strides[2]}, t.offset);
    }

    /**
     * A new dense tensor of t's shape laid out in the order of t's strides (the largest outermost), as PyTorch's
     * {@code empty_like} keeps a layout: the gradient of a view then flows back through the view's inverse without
     * a copy (the heads of a projection become that projection's layout again).
     */
    private static Tensor denseLike(Tensor t) {
        int n = t.dim();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(t.strides[b], t.strides[a])); // stable: ties keep dim order
        int[] bufShape = new int[n];
        for (int i = 0; i < n; i++) {
            bufShape[i] = t.shape[order[i]];
        }
        int[] dense = Shapes.contiguousStrides(bufShape);
        int[] strides = new int[n];
        for (int i = 0; i < n; i++) {
            strides[order[i]] = dense[i];
        }
        Tensor buf = Creation.output(t.dtype(), bufShape, t);
        return new Tensor(buf.storage, t.shape.clone(), strides, 0, null);
    }

    private static boolean broadcasts(int[] shape, int[] target) {
        for (int i = 1; i <= shape.length; i++) {
            int a = shape[shape.length - i];
            if (a != 1 && a != target[target.length - i]) {
                return false;
            }
        }
        return true;
    }

    private static Tensor[] backward(Tensor g, Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out,
                                     Tensor lse) {
        try (var ignored = Autograd.noGrad()) {
            Tensor go = g.strides[g.dim() - 1] == 1 ? g : Fused.contiguous(g);
            Tensor gq = denseLike(q);
            Tensor gk = denseLike(k);
            Tensor gv = denseLike(v);
            Backend be = q.backend();
            if (!be.attentionBackward(four(q), four(k), four(v), bias == null ? null : four(bias), scale, four(out),
                    lse.strided(), four(go), four(gq), four(gk), four(gv))) {
                throw new IllegalStateException("ScaledDotProductEfficientAttentionBackward0: the " + be.name()
                        + " backend ran the attention forward but declined its backward (" + q.dtype().torchName()
                        + ", q " + Arrays.toString(q.shape) + ", k " + Arrays.toString(k.shape) + ")");
            }
            return new Tensor[] {gq, gk, gv};
        }
    }
}
