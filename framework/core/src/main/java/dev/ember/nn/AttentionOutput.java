package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * What {@link MultiheadAttention} returns.
 *
 * @param output  (L, N, E), (N, L, E) with batch_first, or (L, E) for unbatched input
 * @param weights the attention weights after softmax (and dropout): (N, L, S) averaged over heads or
 *                (N, num_heads, L, S) per head, without N for unbatched input; null unless need_weights
 */
public record AttentionOutput(Tensor output, Tensor weights) {
}
