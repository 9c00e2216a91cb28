package dev.ember.nn.functional;

import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.FusedAttention;
import dev.ember.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Attention, as PyTorch 2.x's {@code F.scaled_dot_product_attention} and {@code F.multi_head_attention_forward},
 * composed from tensor ops (matmul, softmax, masked additions) so autograd gives every gradient. Where no attention
 * weights are asked for, no dropout applies and any mask is additive without a gradient, a backend with attention
 * kernels (CUDA) runs it as one node instead ({@link FusedAttention}); the CPU runs the composite.
 *
 * <p>Two mask conventions exist, both PyTorch's: in {@link #scaledDotProductAttention} a boolean mask is true
 * where attention is <em>allowed</em>; in {@link #multiHeadAttentionForward} (and the MultiheadAttention and
 * Transformer modules) a boolean mask is true where attention is <em>forbidden</em>. Float masks are added to
 * the scores in both. A row whose every key is masked gives NaN, as in PyTorch.
 */
public final class Attention {
    private Attention() {
    }

    /** {@code scaledDotProductAttention(q, k, v, null, 0, false, null)}. */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value) {
        return scaledDotProductAttention(query, key, value, null, 0, false, null);
    }

    /**
     * softmax(q k^T * scale + bias) v, with dropout on the attention weights when {@code dropoutP > 0} (always,
     * as PyTorch: pass 0 in eval mode).
     *
     * @param query    (..., L, E)
     * @param key      (..., S, E)
     * @param value    (..., S, E_v)
     * @param attnMask null, or broadcastable to (..., L, S): bool (true = attend) or float (added to the scores)
     * @param isCausal attend only to keys j <= i (top-left aligned); must not be combined with {@code attnMask}
     * @param scale    null for 1/sqrt(E)
     * @return (..., L, E_v)
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask,
                                                   double dropoutP, boolean isCausal, Double scale) {
        String op = "scaledDotProductAttention";
        if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2 || query.size(-1) != key.size(-1)
                || key.size(-2) != value.size(-2)) {
            throw new IllegalArgumentException(op + ": expected query (..., L, E), key (..., S, E) and value (..., S, "
                    + "E_v), got " + Arrays.toString(query.shape()) + ", " + Arrays.toString(key.shape()) + " and "
                    + Arrays.toString(value.shape()));
        }
        if (isCausal && attnMask != null) {
            throw new IllegalArgumentException(op + ": explicit attn_mask should not be set when is_causal=True");
        }
        if (!(dropoutP >= 0 && dropoutP <= 1)) {
            throw new IllegalArgumentException(op + ": dropout_p should be in [0, 1], got " + dropoutP);
        }
        long l = query.size(-2);
        long s = key.size(-2);
        double factor = scale == null ? 1 / Math.sqrt(query.size(-1)) : scale;
        if (dropoutP == 0 && !isCausal && (query.dim() == 3 || query.dim() == 4)
                && (attnMask == null || attnMask.isFloatingPoint())) {
            // one node over the backend's attention kernels where it has them
            Tensor fused = FusedAttention.apply(query, key, value, attnMask, factor);
            if (fused != null) {
                return fused;
            }
        }
        Tensor scores = query.matmul(key.transpose(-2, -1)).mul(factor);
        if (isCausal) {
            scores = scores.maskedFill(causalMask(l, s).to(scores.device()).eq(0.0), Double.NEGATIVE_INFINITY);
        } else if (attnMask != null) {
            checkBroadcast(op, attnMask, scores.shape());
            if (attnMask.dtype() == DType.BOOL) {
                scores = scores.maskedFill(attnMask.eq(0.0), Double.NEGATIVE_INFINITY);
            } else if (attnMask.isFloatingPoint()) {
                scores = scores.add(attnMask.to(scores.dtype()));
            } else {
                throw new IllegalArgumentException(op + ": attn_mask must be bool or floating point, got "
                        + attnMask.dtype().torchName());
            }
        }
        Tensor weights = Dropouts.dropout(scores.softmax(-1), dropoutP, true);
        return weights.matmul(value);
    }

    /** (L, S) bool, true where key j may be attended from query i (j <= i), PyTorch's {@code tril} of ones. */
    public static Tensor causalMask(long l, long s) {
        return Tensor.arange(l).unsqueeze(1).ge(Tensor.arange(s).unsqueeze(0));
    }

    /**
     * PyTorch's {@code nn.Transformer.generate_square_subsequent_mask}: (sz, sz) float, -inf above the diagonal and
     * 0 elsewhere, for a decoder's self-attention.
     */
    public static Tensor generateSquareSubsequentMask(long sz, DType dtype) {
        Tensor zero = Tensor.scalar(dtype, 0);
        return Tensor.where(causalMask(sz, sz), zero, Tensor.scalar(dtype, Double.NEGATIVE_INFINITY));
    }

    private static void checkBroadcast(String op, Tensor mask, long[] target) {
        long[] m = mask.shape();
        boolean ok = m.length <= target.length;
        for (int i = 1; ok && i <= m.length; i++) {
            long a = m[m.length - i];
            ok = a == 1 || a == target[target.length - i];
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": attn_mask of shape " + Arrays.toString(m)
                    + " does not broadcast to the attention scores' shape " + Arrays.toString(target));
        }
    }

    // ---------------------------------------------------------------- multi-head attention

    /**
     * Multi-head attention as PyTorch's {@code F.multi_head_attention_forward} (without bias_k/bias_v, zero
     * attention or separate projection weights): project query, key and value with the three blocks of
     * {@code inProjWeight}, attend per head, concatenate the heads and project with {@code outProjWeight}.
     *
     * <p>Shapes: query (L, N, E), key and value (S, N, E); or unbatched (L, E) and (S, E). keyPaddingMask (N, S)
     * or (S), bool (true = ignore that key) or float (added). attnMask (L, S) or (N*numHeads, L, S), bool
     * (true = not allowed) or float (added). With {@code isCausal} and no attnMask a causal mask is used
     * (PyTorch raises instead; with a mask, isCausal is only a hint and the mask is used as given).
     *
     * @return {output (L, N, E) or (L, E); weights (N, L, S) averaged over heads, (N, numHeads, L, S) if not
     *         averaged, without N for unbatched input, or null when {@code needWeights} is false}
     */
    public static Tensor[] multiHeadAttentionForward(Tensor query, Tensor key, Tensor value, int numHeads,
                                                     Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
                                                     Tensor outProjBias, double dropoutP, boolean training,
                                                     Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                                                     boolean averageAttnWeights, boolean isCausal) {
        String op = "multiHeadAttention";
        boolean batched = query.dim() == 3;
        if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim()
                || !Arrays.equals(key.shape(), value.shape())) {
            throw new IllegalArgumentException(op + ": expected query (L, N, E) with key and value (S, N, E), or "
                    + "unbatched (L, E) and (S, E); got query " + Arrays.toString(query.shape()) + ", key "
                    + Arrays.toString(key.shape()) + ", value " + Arrays.toString(value.shape()));
        }
        Tensor q = batched ? query : query.unsqueeze(1);
        Tensor k = batched ? key : key.unsqueeze(1);
        Tensor v = batched ? value : value.unsqueeze(1);
        long tgtLen = q.size(0);
        long bsz = q.size(1);
        long embedDim = q.size(2);
        long srcLen = k.size(0);
        if (k.size(1) != bsz || k.size(2) != embedDim) {
            throw new IllegalArgumentException(op + ": key " + Arrays.toString(key.shape()) + " does not match query "
                    + Arrays.toString(query.shape()) + " in batch size and embed_dim");
        }
        if (numHeads <= 0 || embedDim % numHeads != 0
                || !Arrays.equals(inProjWeight.shape(), new long[] {3 * embedDim, embedDim})) {
            throw new IllegalArgumentException(op + ": embed_dim " + embedDim + " must be divisible by num_heads "
                    + numHeads + " and in_proj_weight must be (3*E, E), got " + Arrays.toString(inProjWeight.shape()));
        }
        long headDim = embedDim / numHeads;

        // input projections: one matmul for self-attention, three when query, key and value differ
        Tensor pq;
        Tensor pk;
        Tensor pv;
        Tensor packed = null; // self-attention's one projection, (L, N, 3E)
        boolean fusable = !needWeights && (dropoutP == 0 || !training); // what the fused attention can stand in for
        if (query == key && key == value) {
            // the CPU has no attention kernel: there the composite follows, which copies the heads anyway
            packed = fusable && !q.device().equals(Device.CPU)
                    ? projection(q, inProjWeight, inProjBias) : F.linear(q, inProjWeight, inProjBias);
            List<Tensor> qkv = packed.chunk(3, -1);
            pq = qkv.get(0);
            pk = qkv.get(1);
            pv = qkv.get(2);
        } else {
            pq = F.linear(q, inProjWeight.narrow(0, 0, embedDim), block(inProjBias, 0, embedDim));
            pk = F.linear(k, inProjWeight.narrow(0, embedDim, embedDim), block(inProjBias, 1, embedDim));
            pv = F.linear(v, inProjWeight.narrow(0, 2 * embedDim, embedDim), block(inProjBias, 2, embedDim));
        }

        Tensor bias = attnBias(op, attnMask, isCausal, keyPaddingMask, batched, bsz, numHeads, tgtLen, srcLen,
                pq.dtype(), pq.device());
        if (fusable) {
            // one node over the backend's attention kernels where it has them, reading the heads in place:
            // (L, N, E) -> (N, heads, L, head_dim) views
            Tensor b4 = bias == null ? null : bias.size(0) == 1 ? bias.unsqueeze(0)
                    : bias.reshape(bsz, numHeads, bias.size(1), srcLen);
            // self-attention takes the packed projection, whose gradient the kernel then writes whole
            Tensor fused = packed != null ? FusedAttention.selfAttention(packed, numHeads, b4, 1 / Math.sqrt(headDim))
                    : FusedAttention.apply(heads(pq, numHeads), heads(pk, numHeads), heads(pv, numHeads), b4,
                    1 / Math.sqrt(headDim));
            if (fused != null) {
                // (L, N, E), a view: the heads come back laid out as the projection's rows (sequence- or batch-first)
                Tensor out = fused.permute(2, 0, 1, 3).reshape(tgtLen, bsz, embedDim);
                out = projection(out, outProjWeight, outProjBias);
                return new Tensor[] {batched ? out : out.squeeze(1), null};
            }
        }
        // (L, N, E) -> (N*heads, L, head_dim), heads of one batch element adjacent, as PyTorch
        Tensor qh = pq.reshape(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
        Tensor kh = pk.reshape(srcLen, bsz * numHeads, headDim).transpose(0, 1);
        Tensor vh = pv.reshape(srcLen, bsz * numHeads, headDim).transpose(0, 1);
        Tensor scaled = qh.mul(1 / Math.sqrt(headDim));
        // as PyTorch: baddbmm(mask, q, k^T), the mask added in the product's epilogue
        Tensor scores = bias == null ? scaled.bmm(kh.transpose(1, 2)) : bias.baddbmm(scaled, kh.transpose(1, 2));
        Tensor weights = Dropouts.dropout(scores.softmax(-1), dropoutP, training);
        Tensor out = weights.bmm(vh).transpose(0, 1).reshape(tgtLen * bsz, embedDim);
        out = F.linear(out, outProjWeight, outProjBias).reshape(tgtLen, bsz, embedDim);
        Tensor w = null;
        if (needWeights) {
            w = weights.reshape(bsz, numHeads, tgtLen, srcLen);
            if (averageAttnWeights) {
                w = w.mean(1, false);
            }
            if (!batched) {
                w = w.squeeze(0);
            }
        }
        return new Tensor[] {batched ? out : out.squeeze(1), w};
    }

    /**
     * F.linear of an (L, N, E) tensor, in its own layout when it is a batch-first tensor seen sequence-first (the
     * module's batch_first input): rows are independent, so the product runs on the contiguous (N, L, E) layout and
     * its result is seen the same way, instead of copying the input into rows. Only where the fused attention
     * follows: its gradients come back in that same layout (elsewhere a gradient laid out sequence-first would need
     * the copy in the backward instead).
     */
    private static Tensor projection(Tensor x, Tensor weight, Tensor bias) {
        if (x.dim() == 3 && !x.isContiguous() && x.transpose(0, 1).isContiguous()) {
            return F.linear(x.transpose(0, 1), weight, bias).transpose(0, 1);
        }
        return F.linear(x, weight, bias);
    }

    /** (L, N, E) -> (N, heads, L, E / heads), a view. */
    private static Tensor heads(Tensor p, int heads) {
        return p.reshape(p.size(0), p.size(1), heads, p.size(2) / heads).permute(1, 2, 0, 3);
    }

    private static Tensor block(Tensor bias, int i, long e) {
        return bias == null ? null : bias.narrow(0, i * e, e);
    }

    /** The additive float mask (1 or N*heads, L, S) from attn_mask, is_causal and key_padding_mask, or null. */
    private static Tensor attnBias(String op, Tensor attnMask, boolean isCausal, Tensor keyPaddingMask, boolean batched,
                                   long bsz, int heads, long tgtLen, long srcLen, DType dtype, Device device) {
        Tensor bias = null;
        if (attnMask != null) {
            boolean ok = attnMask.dim() == 2 ? Arrays.equals(attnMask.shape(), new long[] {tgtLen, srcLen})
                    : attnMask.dim() == 3 && Arrays.equals(attnMask.shape(), new long[] {bsz * heads, tgtLen, srcLen});
            if (!ok) {
                throw new IllegalArgumentException(op + ": attn_mask of shape " + Arrays.toString(attnMask.shape())
                        + " should be (L, S) = [" + tgtLen + ", " + srcLen + "] or (N*num_heads, L, S) = ["
                        + bsz * heads + ", " + tgtLen + ", " + srcLen + "]");
            }
            bias = additive(op, "attn_mask", attnMask, dtype);
            if (bias.dim() == 2) {
                bias = bias.unsqueeze(0);
            }
        } else if (isCausal) {
            bias = additive(op, "attn_mask", causalMask(tgtLen, srcLen).eq(0.0), dtype).unsqueeze(0).to(device);
        }
        if (keyPaddingMask != null) {
            long[] want = batched ? new long[] {bsz, srcLen} : new long[] {srcLen};
            if (!Arrays.equals(keyPaddingMask.shape(), want)) {
                throw new IllegalArgumentException(op + ": key_padding_mask of shape "
                        + Arrays.toString(keyPaddingMask.shape()) + " should be " + Arrays.toString(want));
            }
            Tensor kpm = additive(op, "key_padding_mask", keyPaddingMask, dtype).reshape(bsz, 1, 1, srcLen)
                    .expand(bsz, heads, 1, srcLen).reshape(bsz * heads, 1, srcLen);
            bias = bias == null ? kpm : bias.add(kpm);
        }
        return bias;
    }

    /** A bool mask (true = masked) becomes 0 / -inf; a float mask is kept. */
    private static Tensor additive(String op, String name, Tensor mask, DType dtype) {
        if (mask.dtype() == DType.BOOL) {
            return Tensor.where(mask, Tensor.scalar(dtype, Double.NEGATIVE_INFINITY), Tensor.scalar(dtype, 0));
        }
        if (!mask.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": only bool and floating types of " + name + " are supported, got "
                    + mask.dtype().torchName());
        }
        return mask.to(dtype);
    }
}
