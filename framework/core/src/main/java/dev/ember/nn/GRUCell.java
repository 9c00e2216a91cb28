package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;

/**
 * One GRU step, as PyTorch's {@code nn.GRUCell} (gates r, z, n as in {@link GRU}). input (N, H_in) or (H_in), hx
 * (N, H) or (H) (null for zeros) -> h' (N, H) or (H).
 */
public class GRUCell extends RNNCellBase {
    public GRUCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    public GRUCell(long inputSize, long hiddenSize, boolean bias) {
        super(Recurrent.Mode.GRU, inputSize, hiddenSize, bias);
    }

    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    public Tensor forward(Tensor input, Tensor hx) {
        return Recurrent.gruCell(input, state(input, hx, "hx"), weightIh, weightHh, biasIh, biasHh);
    }
}
