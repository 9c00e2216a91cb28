package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;

/**
 * One Elman RNN step, as PyTorch's {@code nn.RNNCell}: {@code h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)} (or
 * relu). input (N, H_in) or (H_in), hx (N, H) or (H) (null for zeros) -> h' (N, H) or (H).
 */
public class RNNCell extends RNNCellBase {
    public final String nonlinearity;
    private final boolean relu;

    public RNNCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, "tanh");
    }

    /** PyTorch's arguments in its order; {@code nonlinearity} is "tanh" or "relu". */
    public RNNCell(long inputSize, long hiddenSize, boolean bias, String nonlinearity) {
        super(RNNBase.rnnMode(nonlinearity), inputSize, hiddenSize, bias);
        this.nonlinearity = nonlinearity;
        this.relu = RNNBase.rnnMode(nonlinearity) == Recurrent.Mode.RNN_RELU;
    }

    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    public Tensor forward(Tensor input, Tensor hx) {
        Tensor h = state(input, hx, "hx");
        return relu ? Recurrent.rnnReluCell(input, h, weightIh, weightHh, biasIh, biasHh)
                : Recurrent.rnnTanhCell(input, h, weightIh, weightHh, biasIh, biasHh);
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (relu ? ", nonlinearity=relu" : "");
    }
}
