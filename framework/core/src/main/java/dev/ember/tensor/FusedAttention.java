package dev.ember.tensor;

import dev.ember.autograd.Autograd;
import dev.ember.backend.Backend;
import dev.ember.backend.Strided;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Scaled dot-product attention, {@code softmax(scale q k^T + bias) v}, as one graph node over the backend's
 * attention kernels ({@link Backend#attention}, {@link Backend#attentionBackward}), named after PyTorch's fused
 * kernel's node, {@code ScaledDotProductEfficientAttentionBackward0}. The composite it stands in for records a
 * product, an addition, a softmax and a product, and lays the heads out with copies; here q, k and v are read in
 * place (the heads of a projection's output are views with a sample and a head stride), the output is laid out as
 * q is and each gradient as its input, so heads concatenate again and gradients flow back through the views
 * without copies. Null when the backend has no kernel for these operands (the CPU has none): the caller runs the
 * composite.
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
     * @return q's shape, laid out densely in the order of q's strides (the heads of a projection come back in the
     *         projection's row order); null when declined
     */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        int dims = q.dim();
        if ((dims != 3 && dims != 4) || k.dim() != dims || v.dim() != dims || !Arrays.equals(k.shape, v.shape)) {
            return null;
        }
        for (int i = 0; i < dims; i++) {
            if (i != dims - 2 && q.shape[i] != k.shape[i]) {
                return null;
            }
        }
        for (Tensor t : new Tensor[] {k, v}) {
            if (t.dtype() != q.dtype() || !t.device().equals(q.device())) {
                return null;
            }
        }
        return run(new Tensor[] {q, k, v}, q.shape, four(q), four(k), four(v), bias, scale, q, () -> {
            Tensor gq = denseLike(q);
            Tensor gk = denseLike(k);
            Tensor gv = denseLike(v);
            return new Grads(new Tensor[] {gq, gk, gv}, four(gq), four(gk), four(gv));
        });
    }

    /**
     * Self-attention over one packed projection, the input projection's output of multi-head attention: heads of
     * D = E / heads dims, q, k and v the three thirds of the last dim. Its gradient is one buffer laid out as
     * {@code qkv}, which the backward kernel writes whole, so no zero fill and no additions per third assemble it.
     *
     * @param qkv (L, N, 3E), a contiguous last dim
     * @return (N, heads, L, D), laid out as the projection's rows (a permutation of (L, N, heads, D) or
     *         (N, L, heads, D)); null when declined
     */
    public static Tensor selfAttention(Tensor qkv, int heads, Tensor bias, double scale) {
        if (qkv.dim() != 3 || heads <= 0 || qkv.shape[2] % (3 * heads) != 0) {
            return null;
        }
        int l = qkv.shape[0];
        int n = qkv.shape[1];
        int d = qkv.shape[2] / (3 * heads);
        int[] shape = {n, heads, l, d};
        return run(new Tensor[] {qkv}, shape, third(qkv.strided(), 0, heads, d), third(qkv.strided(), 1, heads, d),
                third(qkv.strided(), 2, heads, d), bias, scale, qkv, () -> {
                    Tensor grad = denseLike(qkv);
                    Strided s = grad.strided();
                    return new Grads(new Tensor[] {grad}, third(s, 0, heads, d), third(s, 1, heads, d),
                            third(s, 2, heads, d));
                });
    }

    /** Third {@code which} (q, k, v) of a packed (L, N, 3E) operand as (N, heads, L, D). */
    private static Strided third(Strided p, int which, int heads, int d) {
        int[] st = p.strides();
        return new Strided(p.storage(), new int[] {p.shape()[1], heads, p.shape()[0], d},
                new int[] {st[1], d * st[2], st[0], st[2]}, p.offset() + which * heads * d * st[2]);
    }

    /** The backward's gradients (one per input) and the 4-D descriptions of the q, k and v parts within them. */
    private record Grads(Tensor[] perInput, Strided q, Strided k, Strided v) {
    }

    /**
     * The node over inputs {@code inputs}, whose q, k and v parts are {@code q4}, {@code k4}, {@code v4} (N, H,
     * rows, D); the output has {@code shape} (q's, 3-D or 4-D). {@code grads} allocates the gradients.
     */
    private static Tensor run(Tensor[] inputs, int[] shape, Strided q4, Strided k4, Strided v4, Tensor bias,
                              double scale, Tensor like, Supplier<Grads> grads) {
        DType dtype = like.dtype();
        if (!dtype.isFloatingPoint() || Shapes.numel(shape) == 0 || Shapes.numel(k4.shape()) == 0
                || q4.strides()[3] != 1 || k4.strides()[3] != 1 || v4.strides()[3] != 1) {
            return null;
        }
        int dims = shape.length;
        int l = q4.shape()[2];
        int d = q4.shape()[3];
        int[] scores = {q4.shape()[0], q4.shape()[1], l, k4.shape()[2]};
        Strided b4 = null;
        if (bias != null) {
            int[] target = dims == 4 ? scores : new int[] {scores[0], scores[2], scores[3]}; // the scores as q's dims
            if (bias.requiresGrad() || bias.dtype() != dtype || !bias.device().equals(like.device())
                    || bias.dim() > dims || !broadcasts(bias.shape, target)) {
                return null;
            }
            b4 = four(bias.expand(Shapes.toLongs(target)));
        }
        // the output is laid out as q is (heads of a projection: as the projection's rows), so that the heads
        // concatenate again without a copy
        int[] qStrides = dims == 4 ? q4.strides() : new int[] {q4.strides()[0], q4.strides()[2], q4.strides()[3]};
        Tensor out = dense(shape, qStrides, dtype, like);
        int batch = q4.shape()[0] * q4.shape()[1];
        Tensor lse = Creation.output(dtype, new int[] {batch, l}, like);
        Backend be = like.backend();
        if (!be.attention(q4, k4, v4, b4, scale, four(out), lse.strided())) {
            return null;
        }
        Strided mask = b4;
        Tensor[] saved = Arrays.copyOf(inputs, inputs.length + 1);
        saved[inputs.length] = out;
        // new buffers, one per input
        return Graph.recordFresh("ScaledDotProductEfficientAttentionBackward0", out, inputs, saved, g -> {
            try (var ignored = Autograd.noGrad()) {
                Tensor go = g.strides[g.dim() - 1] == 1 ? g : Fused.contiguous(g);
                Grads gr = grads.get();
                if (!be.attentionBackward(q4, k4, v4, mask, scale, four(out), lse.strided(), four(go), gr.q(),
                        gr.k(), gr.v())) {
                    throw new IllegalStateException("ScaledDotProductEfficientAttentionBackward0: the " + be.name()
                            + " backend ran the attention forward but declined its backward (" + dtype.torchName()
                            + ", q " + Arrays.toString(q4.shape()) + ", k " + Arrays.toString(k4.shape()) + ")");
                }
                return gr.perInput();
            }
        });
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
        return dense(t.shape, t.strides, t.dtype(), t);
    }

    /** A new dense tensor of {@code shape} whose dims are laid out in the order of {@code strides}, largest first. */
    private static Tensor dense(int[] shape, int[] strides, DType dtype, Tensor like) {
        int n = shape.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(strides[b], strides[a])); // stable: ties keep dim order
        int[] bufShape = new int[n];
        for (int i = 0; i < n; i++) {
            bufShape[i] = shape[order[i]];
        }
        int[] contiguous = Shapes.contiguousStrides(bufShape);
        int[] result = new int[n];
        for (int i = 0; i < n; i++) {
            result[order[i]] = contiguous[i];
        }
        Tensor buf = Creation.output(dtype, bufShape, like);
        return new Tensor(buf.storage, shape.clone(), result, 0, null);
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
}
