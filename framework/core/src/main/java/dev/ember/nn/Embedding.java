package dev.ember.nn;

import dev.ember.autograd.Autograd;
import dev.ember.nn.functional.Embeddings;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;

/**
 * A lookup table: int64 indices (*) -> (*, embeddingDim). Parameter {@code weight} (numEmbeddings, embeddingDim)
 * starts N(0, 1), with the {@code paddingIdx} row (if any) zeroed; that row gets no gradient, so it stays as set.
 * Not supported from PyTorch's options: max_norm, norm_type, scale_grad_by_freq, sparse.
 */
public class Embedding extends Module implements Layer {
    public final long numEmbeddings;
    public final long embeddingDim;
    /** Non-negative (a negative constructor argument counts from the end), or null. */
    public final Long paddingIdx;
    public final Tensor weight;

    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    public Embedding(long numEmbeddings, long embeddingDim, Long paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, DType.FLOAT32);
    }

    public Embedding(long numEmbeddings, long embeddingDim, Long paddingIdx, DType dtype) {
        if (numEmbeddings < 0 || embeddingDim < 0) {
            throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be >= 0, got "
                    + numEmbeddings + " and " + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : wrap(paddingIdx, numEmbeddings);
        this.weight = registerParameter("weight", Tensor.zeros(dtype, numEmbeddings, embeddingDim));
        resetParameters();
    }

    private static long wrap(long paddingIdx, long num) {
        if (paddingIdx >= num || paddingIdx < -num) {
            throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be within num_embeddings ["
                    + -num + ", " + num + ")");
        }
        return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
    }

    /**
     * An Embedding holding a copy of {@code embeddings} (num, dim), as {@code Embedding.from_pretrained};
     * with {@code freeze} the weight does not require grad.
     */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Long paddingIdx) {
        if (embeddings.dim() != 2) {
            throw new IllegalArgumentException("Embedding.fromPretrained: embeddings parameter is expected to be 2-dimensional, "
                    + "got shape " + java.util.Arrays.toString(embeddings.shape()));
        }
        Embedding e = new Embedding(embeddings.size(0), embeddings.size(1), paddingIdx, embeddings.dtype());
        try (var ignored = Autograd.noGrad()) {
            e.weight.copyi(embeddings.detach());
        }
        e.weight.requiresGrad(!freeze);
        return e;
    }

    /** N(0, 1), padding row zeroed. */
    public void resetParameters() {
        Init.normal(weight, 0, 1);
        if (paddingIdx != null) {
            try (var ignored = Autograd.noGrad()) {
                weight.select(0, paddingIdx).zeroi();
            }
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return Embeddings.embedding(input, weight, paddingIdx);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
