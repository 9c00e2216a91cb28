package dev.ember.nn;

import dev.ember.tensor.Tensor;

/**
 * Elman RNN, as PyTorch's {@code nn.RNN}: {@code h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)} (or relu)
 * for each layer, the next layer reading the previous one's outputs (with dropout between layers while
 * training). Parameters {@code weight_ih_l{k}} (H, H_in) for layer 0, (H, D*H) after, {@code weight_hh_l{k}}
 * (H, H), {@code bias_ih_l{k}}, {@code bias_hh_l{k}} (H), and {@code _reverse} ones when bidirectional.
 *
 * <p>input (L, N, H_in) / (N, L, H_in) with batchFirst / (L, H_in) unbatched, h0 (D*num_layers, N, H) ->
 * {@link RnnOutput}.
 */
public class RNN extends RNNBase {
    public final String nonlinearity;

    public RNN(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, 1);
    }

    public RNN(long inputSize, long hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, "tanh", true, false, 0, false);
    }

    /** PyTorch's arguments in its order; {@code nonlinearity} is "tanh" or "relu". */
    public RNN(long inputSize, long hiddenSize, int numLayers, String nonlinearity, boolean bias, boolean batchFirst,
               double dropout, boolean bidirectional) {
        super(rnnMode(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
        this.nonlinearity = nonlinearity;
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
