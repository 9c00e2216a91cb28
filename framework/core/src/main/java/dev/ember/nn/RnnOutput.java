package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * What {@link RNN} and {@link GRU} return: the last layer's hidden state at every step and every layer's final
 * hidden state.
 *
 * @param output (L, N, D*H), (N, L, D*H) with batch_first, or (L, D*H) for unbatched input
 * @param hN     (D*num_layers, N, H), or (D*num_layers, H) for unbatched input; layer-major, forward direction
 *               before reverse (PyTorch's order)
 */
public record RnnOutput(Tensor output, Tensor hN) {
}
