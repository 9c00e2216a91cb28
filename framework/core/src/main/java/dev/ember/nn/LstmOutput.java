package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * What {@link LSTM} returns: the last layer's hidden state at every step, and every layer's final hidden and
 * cell states.
 *
 * @param output (L, N, D*H), (N, L, D*H) with batch_first, or (L, D*H) for unbatched input
 * @param hN     (D*num_layers, N, H), or (D*num_layers, H) for unbatched input
 * @param cN     the final cell states, shaped like {@code hN}
 */
public record LstmOutput(Tensor output, Tensor hN, Tensor cN) {
}
