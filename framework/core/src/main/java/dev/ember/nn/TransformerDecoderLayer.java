package dev.ember.nn;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * One Transformer decoder block, as PyTorch's {@code nn.TransformerDecoderLayer}: self-attention over the target,
 * cross-attention to the encoder's memory and a feed-forward network, each in a residual branch with dropout
 * and layer normalisation (post-norm by default, pre-norm with normFirst). Sub-modules have PyTorch's names:
 * self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2, dropout3.
 *
 * <p>tgt (T, N, E) and memory (S, N, E), (N, T, E) and (N, S, E) with batchFirst, or unbatched (T, E) and (S, E)
 * -> tgt's shape. tgtMask (T, T) or (N*nhead, T, T), memoryMask (T, S) or (N*nhead, T, S), key padding masks
 * (N, T) and (N, S): bool (true = not allowed) or float (added), as in {@link MultiheadAttention}.
 */
public class TransformerDecoderLayer extends Module {
    private final long dModel;
    private final int nhead;
    private final long dimFeedforward;
    private final double dropoutP;
    private final String activation;
    private final double layerNormEps;
    private final boolean batchFirst;
    private final boolean normFirst;

    public final MultiheadAttention selfAttn;
    public final MultiheadAttention multiheadAttn;
    public final Linear linear1;
    public final Dropout dropout;
    public final Linear linear2;
    public final LayerNorm norm1;
    public final LayerNorm norm2;
    public final LayerNorm norm3;
    public final Dropout dropout1;
    public final Dropout dropout2;
    public final Dropout dropout3;

    public TransformerDecoderLayer(long dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1);
    }

    public TransformerDecoderLayer(long dModel, int nhead, long dimFeedforward, double dropout) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, false, false);
    }

    /** PyTorch's arguments in its order; activation "relu" or "gelu". */
    public TransformerDecoderLayer(long dModel, int nhead, long dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.dropoutP = dropout;
        this.activation = TransformerActivation.check("TransformerDecoderLayer", activation);
        this.layerNormEps = layerNormEps;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.multiheadAttn = registerModule("multihead_attn",
                new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.norm3 = registerModule("norm3", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
        this.dropout3 = registerModule("dropout3", new Dropout(dropout));
    }

    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false, false);
    }

    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, false);
    }

    /**
     * {@code tgtIsCausal} / {@code memoryIsCausal}: with a null mask, attend causally; with a mask, a hint only
     * (the mask is used as given).
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        Tensor x = tgt;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal));
            x = x.add(crossAttentionBlock(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal));
            x = x.add(feedForwardBlock(norm3.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttentionBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal)));
            x = norm2.forward(x.add(crossAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal)));
            x = norm3.forward(x.add(feedForwardBlock(x)));
        }
        return x;
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true, isCausal).output());
    }

    private Tensor crossAttentionBlock(Tensor x, Tensor mem, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout2.forward(multiheadAttn.forward(x, mem, mem, keyPaddingMask, false, mask, true, isCausal)
                .output());
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = dropout.forward(TransformerActivation.apply(activation, linear1.forward(x)));
        return dropout3.forward(linear2.forward(h));
    }

    /** A deep copy: a new layer with the same configuration, parameters, dtype and training mode. */
    TransformerDecoderLayer duplicate() {
        TransformerDecoderLayer c = new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropoutP, activation,
                layerNormEps, batchFirst, normFirst);
        DType dtype = selfAttn.inProjWeight.dtype();
        c.to(dtype);
        c.loadStateDict(stateDict(), true);
        c.train(isTraining());
        return c;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    public boolean normFirst() {
        return normFirst;
    }

    public String activation() {
        return activation;
    }
}
