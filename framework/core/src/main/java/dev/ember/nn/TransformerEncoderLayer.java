package dev.ember.nn;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * One Transformer encoder block, as PyTorch's {@code nn.TransformerEncoderLayer}: self-attention and a
 * feed-forward network ({@code linear2(dropout(activation(linear1(x))))}), each in a residual branch with
 * dropout and layer normalisation. Post-norm by default ({@code x = norm1(x + sa(x)); x = norm2(x + ff(x))});
 * with normFirst, pre-norm ({@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}). Sub-modules have PyTorch's
 * names: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
 *
 * <p>src (S, N, E), (N, S, E) with batchFirst, or unbatched (S, E) -> same shape. srcMask (S, S) or
 * (N*nhead, S, S) and srcKeyPaddingMask (N, S): bool (true = not allowed) or float (added), as in
 * {@link MultiheadAttention}. The activation is "relu" or "gelu" (exact).
 */
public class TransformerEncoderLayer extends Module implements Layer {
    private final long dModel;
    private final int nhead;
    private final long dimFeedforward;
    private final double dropoutP;
    private final String activation;
    private final double layerNormEps;
    private final boolean batchFirst;
    private final boolean normFirst;

    public final MultiheadAttention selfAttn;
    public final Linear linear1;
    public final Dropout dropout;
    public final Linear linear2;
    public final LayerNorm norm1;
    public final LayerNorm norm2;
    public final Dropout dropout1;
    public final Dropout dropout2;

    public TransformerEncoderLayer(long dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1);
    }

    public TransformerEncoderLayer(long dModel, int nhead, long dimFeedforward, double dropout) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, false, false);
    }

    /** PyTorch's arguments in its order; activation "relu" or "gelu". */
    public TransformerEncoderLayer(long dModel, int nhead, long dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.dropoutP = dropout;
        this.activation = TransformerActivation.check("TransformerEncoderLayer", activation);
        this.layerNormEps = layerNormEps;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        return forward(src, srcMask, srcKeyPaddingMask, false);
    }

    /** {@code isCausal}: with a null srcMask, attend causally; with a mask, a hint only (the mask is used). */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
            x = x.add(feedForwardBlock(norm2.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
            x = norm2.forward(x.add(feedForwardBlock(x)));
        }
        return x;
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        Tensor a = selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true, isCausal).output();
        return dropout1.forward(a);
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = dropout.forward(TransformerActivation.apply(activation, linear1.forward(x)));
        return dropout2.forward(linear2.forward(h));
    }

    /** A deep copy: a new layer with the same configuration, parameters, dtype and training mode. */
    TransformerEncoderLayer duplicate() {
        TransformerEncoderLayer c = new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropoutP, activation,
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
