package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;

/**
 * Long short-term memory, as PyTorch's {@code nn.LSTM}. Per step: {@code i, f, o = sigmoid(...)},
 * {@code g = tanh(...)} from {@code x W_ih^T + b_ih + h W_hh^T + b_hh} split in that order (i, f, g, o),
 * {@code c' = f * c + i * g}, {@code h' = o * tanh(c')}. Parameters {@code weight_ih_l{k}} (4*H, H_in),
 * {@code weight_hh_l{k}} (4*H, H), {@code bias_ih_l{k}}, {@code bias_hh_l{k}} (4*H), {@code _reverse} ones when
 * bidirectional. {@code proj_size} is not supported.
 *
 * <p>input (L, N, H_in) / (N, L, H_in) with batchFirst / (L, H_in) unbatched, h0 and c0 (D*num_layers, N, H) ->
 * {@link LstmOutput}.
 */
public class LSTM extends RNNBase {
    public LSTM(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, 1);
    }

    public LSTM(long inputSize, long hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, 0, false);
    }

    /** PyTorch's arguments in its order. */
    public LSTM(long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                boolean bidirectional) {
        super(Recurrent.Mode.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** With h0 = c0 = zeros. */
    public LstmOutput forward(Tensor input) {
        return forward(input, null, null);
    }

    /** {@code h0} and {@code c0} may be null (zeros). */
    public LstmOutput forward(Tensor input, Tensor h0, Tensor c0) {
        Tensor[] out = run(input, h0, c0);
        return new LstmOutput(out[0], out[1], out[2]);
    }
}
