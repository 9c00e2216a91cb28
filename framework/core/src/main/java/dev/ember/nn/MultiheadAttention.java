package dev.ember.nn;

import dev.ember.nn.functional.Attention;
import dev.ember.tensor.Tensor;

/**
 * Multi-head attention, as PyTorch's {@code nn.MultiheadAttention}: {@code concat(head_1..head_h) W_o^T + b_o} with
 * {@code head_i = softmax(Q_i K_i^T / sqrt(head_dim) + mask) V_i} and Q, K, V the input projections of query,
 * key and value. Parameters {@code in_proj_weight} (3*E, E) stacking the query, key and value projections,
 * {@code in_proj_bias} (3*E), and the Linear child {@code out_proj} (E -> E); in_proj_weight starts
 * xavier-uniform and both biases at zero, as in PyTorch.
 *
 * <p>query (L, N, E), key and value (S, N, E); (N, L, E) and (N, S, E) with batchFirst; or unbatched (L, E) and
 * (S, E) -> {@link AttentionOutput}. Masks follow PyTorch: boolean true means "do not attend", float masks are
 * added to the scores; see {@link Attention#multiHeadAttentionForward}. Not supported: kdim/vdim different from
 * embed_dim, add_bias_kv, add_zero_attn.
 */
public class MultiheadAttention extends Module {
    public final long embedDim;
    public final int numHeads;
    public final double dropout;
    public final boolean batchFirst;
    public final long headDim;
    public final Tensor inProjWeight;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor inProjBias;
    public final Linear outProj;

    public MultiheadAttention(long embedDim, int numHeads) {
        this(embedDim, numHeads, 0, true, false);
    }

    /** PyTorch's arguments (embed_dim, num_heads, dropout, bias, batch_first). */
    public MultiheadAttention(long embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        if (embedDim <= 0 || numHeads <= 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim and num_heads must be greater than 0, "
                    + "got " + embedDim + " and " + numHeads);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by num_heads, got "
                    + embedDim + " and " + numHeads);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout probability has to be between 0 and 1, "
                    + "but got " + dropout);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.headDim = embedDim / numHeads;
        this.inProjWeight = registerParameter("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim));
        this.inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias));
        resetParameters();
    }

    /** xavier_uniform on in_proj_weight, zeros on in_proj_bias and out_proj.bias; out_proj.weight keeps Linear's. */
    public void resetParameters() {
        Init.xavierUniform(inProjWeight, 1.0);
        if (inProjBias != null) {
            Init.zeros(inProjBias);
            Init.zeros(outProj.bias);
        }
    }

    /** Unmasked, returning weights averaged over heads (PyTorch's defaults). */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, true, null, true, false);
    }

    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                                   Tensor attnMask) {
        return forward(query, key, value, keyPaddingMask, needWeights, attnMask, true, false);
    }

    /**
     * @param keyPaddingMask null or (N, S) ((S) unbatched): bool, true = ignore that key, or float added
     * @param attnMask       null or (L, S) or (N*num_heads, L, S): bool, true = not allowed, or float added
     * @param isCausal       with a null attnMask, applies a causal mask (PyTorch requires the mask and treats the
     *                       flag as a hint; with a mask given, the mask is used as is)
     */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                                   Tensor attnMask, boolean averageAttnWeights, boolean isCausal) {
        Tensor q = query;
        Tensor k = key;
        Tensor v = value;
        boolean batched = query.dim() == 3;
        if (batchFirst && batched) {
            // keep identity when query, key and value are the same tensor: it selects the fused projection
            q = query.transpose(0, 1);
            k = key == query ? q : key.transpose(0, 1);
            v = value == key ? k : value.transpose(0, 1);
        }
        Tensor[] r = Attention.multiHeadAttentionForward(q, k, v, numHeads, inProjWeight, inProjBias, outProj.weight,
                outProj.bias, dropout, isTraining(), keyPaddingMask, needWeights, attnMask, averageAttnWeights,
                isCausal);
        Tensor out = batchFirst && batched ? r[0].transpose(0, 1) : r[0];
        return new AttentionOutput(out, r[1]);
    }
}
