package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;

/**
 * One LSTM step, as PyTorch's {@code nn.LSTMCell} (gates i, f, g, o as in {@link LSTM}). input (N, H_in) or
 * (H_in), h and c (N, H) or (H) (null for zeros) -> {@link State} (h', c').
 */
public class LSTMCell extends RNNCellBase {
    /** The hidden and cell state after one step, each (N, H) or (H). */
    public record State(Tensor h, Tensor c) {
    }

    public LSTMCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    public LSTMCell(long inputSize, long hiddenSize, boolean bias) {
        super(Recurrent.Mode.LSTM, inputSize, hiddenSize, bias);
    }

    public State forward(Tensor input) {
        return forward(input, null, null);
    }

    public State forward(Tensor input, Tensor h, Tensor c) {
        Tensor[] r = Recurrent.lstmCell(input, state(input, h, "hx"), state(input, c, "cx"), weightIh, weightHh,
                biasIh, biasHh);
        return new State(r[0], r[1]);
    }
}
