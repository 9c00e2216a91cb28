package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;

/**
 * Gated recurrent unit, as PyTorch's {@code nn.GRU}. Per step: {@code r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)},
 * {@code z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)}, {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))},
 * {@code h' = (1 - z) * n + z * h}. Parameters {@code weight_ih_l{k}} (3*H, H_in) stacking (r, z, n),
 * {@code weight_hh_l{k}} (3*H, H), {@code bias_ih_l{k}}, {@code bias_hh_l{k}} (3*H), {@code _reverse} ones when
 * bidirectional.
 *
 * <p>input (L, N, H_in) / (N, L, H_in) with batchFirst / (L, H_in) unbatched, h0 (D*num_layers, N, H) ->
 * {@link RnnOutput}.
 */
public class GRU extends RNNBase {
    public GRU(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, 1);
    }

    public GRU(long inputSize, long hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, 0, false);
    }

    /** PyTorch's arguments in its order. */
    public GRU(long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
               boolean bidirectional) {
        super(Recurrent.Mode.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** With h0 = zeros. */
    public RnnOutput forward(Tensor input) {
        return forward(input, null);
    }

    /** {@code h0} may be null (zeros). */
    public RnnOutput forward(Tensor input, Tensor h0) {
        Tensor[] out = run(input, h0);
        return new RnnOutput(out[0], out[1]);
    }
}
