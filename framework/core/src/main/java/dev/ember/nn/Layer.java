package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * A module with one tensor in and one tensor out, so it can be chained in a {@link Sequential}. Modules with
 * several inputs or outputs (Bilinear, LSTM, MultiheadAttention) have their own {@code forward} signatures.
 */
public interface Layer {
    Tensor forward(Tensor input);
}
