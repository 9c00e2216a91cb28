package dev.ember.nn.functional;

import dev.ember.tensor.DType;
import dev.ember.tensor.IndexChecks;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Lookup tables and one-hot encoding, as {@code F.embedding} and {@code F.one_hot}. */
public final class Embeddings {
    private Embeddings() {
    }

    /** Rows of {@code weight} (num_embeddings, embedding_dim) picked by int64 {@code input} (*) -> (*, embedding_dim). */
    public static Tensor embedding(Tensor input, Tensor weight) {
        return embedding(input, weight, null);
    }

    /**
     * As {@link #embedding(Tensor, Tensor)}; positions whose index equals {@code paddingIdx} (nullable; negative
     * counts from the end) still read that row but send it no gradient, so the padding vector is not trained.
     */
    public static Tensor embedding(Tensor input, Tensor weight, Long paddingIdx) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                    + Arrays.toString(weight.shape()));
        }
        if (input.dtype() != DType.INT64) {
            throw new IllegalArgumentException("embedding: expected indices of dtype torch.int64, got "
                    + input.dtype().torchName());
        }
        long num = weight.size(0);
        Long pad = paddingIdx == null ? null : wrapPaddingIdx("embedding", paddingIdx, num);
        IndexChecks.check(input, 0, num, null, "embedding: index %d is out of range for " + num
                + " embeddings (weight shape " + Arrays.toString(weight.shape()) + ")");
        long[] shape = Arrays.copyOf(input.shape(), input.dim() + 1);
        shape[input.dim()] = weight.size(1);
        Tensor rows = weight.indexSelect(0, input.reshape(-1)).reshape(shape);
        if (pad == null || !weight.requiresGrad()) {
            return rows;
        }
        // same values, but the padding positions read a detached copy: no gradient reaches the padding row
        return Tensor.where(input.eq((double) pad).unsqueeze(-1), rows.detach(), rows);
    }

    /** paddingIdx in [-num, num) made non-negative, as {@code nn.Embedding} and {@code F.embedding} do. */
    static long wrapPaddingIdx(String op, long paddingIdx, long num) {
        if (paddingIdx >= num || paddingIdx < -num) {
            throw new IllegalArgumentException(op + ": padding_idx " + paddingIdx + " must be within num_embeddings ("
                    + "[" + -num + ", " + num + "))");
        }
        return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
    }

    /** One-hot encoding with as many classes as the largest index + 1. */
    public static Tensor oneHot(Tensor indices) {
        return oneHot(indices, -1);
    }

    /**
     * int64 indices (*) -> int64 (*, numClasses) with a 1 at each index; {@code numClasses} -1 infers
     * max(indices) + 1 (an error for an empty tensor).
     */
    public static Tensor oneHot(Tensor indices, long numClasses) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("oneHot: is only applicable to index tensors of dtype torch.int64, got "
                    + indices.dtype().torchName());
        }
        long[] values = indices.toLongArray();
        long max = -1;
        for (long v : values) {
            if (v < 0) {
                throw new IllegalArgumentException("oneHot: class values must be non-negative, got " + v);
            }
            max = Math.max(max, v);
        }
        if (numClasses == -1) {
            if (values.length == 0) {
                throw new IllegalArgumentException("oneHot: can not infer the total number of classes from an empty tensor");
            }
            numClasses = max + 1;
        } else if (numClasses < 1) {
            throw new IllegalArgumentException("oneHot: numClasses must be positive or -1 (infer), got " + numClasses);
        } else if (max >= numClasses) {
            throw new IllegalArgumentException("oneHot: class values must be smaller than num_classes (" + numClasses
                    + "), got " + max);
        }
        return indices.unsqueeze(-1).eq(Tensor.arange(numClasses).to(indices.device())).toLong();
    }
}
