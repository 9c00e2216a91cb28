package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/**
 * What {@link RNNCell}, {@link LSTMCell} and {@link GRUCell} share, as PyTorch's {@code nn.RNNCellBase}: the
 * parameters {@code weight_ih} (G*H, H_in), {@code weight_hh} (G*H, H), {@code bias_ih}, {@code bias_hh} (G*H),
 * initialised U(+-1/sqrt(hidden_size)), and the input and state checks.
 */
public abstract class RNNCellBase extends Module {
    public final long inputSize;
    public final long hiddenSize;
    public final Tensor weightIh;
    public final Tensor weightHh;
    /** Null when constructed with {@code bias=false}. */
    public final Tensor biasIh;
    public final Tensor biasHh;

    protected RNNCellBase(Recurrent.Mode mode, long inputSize, long hiddenSize, boolean bias) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input_size and hidden_size must be "
                    + "greater than zero, got " + inputSize + " and " + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        long g = mode.gates() * hiddenSize;
        this.weightIh = registerParameter("weight_ih", Tensor.zeros(g, inputSize));
        this.weightHh = registerParameter("weight_hh", Tensor.zeros(g, hiddenSize));
        this.biasIh = bias ? registerParameter("bias_ih", Tensor.zeros(g)) : null;
        this.biasHh = bias ? registerParameter("bias_hh", Tensor.zeros(g)) : null;
        resetParameters();
    }

    /** Every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch. */
    public void resetParameters() {
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        for (Tensor w : parameters()) {
            Init.uniform(w, -stdv, stdv);
        }
    }

    /** Checks input (N, H_in) or (H_in); returns the state for {@code hx} (zeros when null), checked against it. */
    protected final Tensor state(Tensor input, Tensor hx, String what) {
        String name = getClass().getSimpleName();
        if ((input.dim() != 1 && input.dim() != 2) || input.size(-1) != inputSize) {
            throw new IllegalArgumentException(name + ": expected input (N, " + inputSize + ") or (" + inputSize
                    + "), got " + Arrays.toString(input.shape()));
        }
        if (input.dtype() != weightIh.dtype()) {
            throw new IllegalArgumentException(name + ": input must have the parameters' type "
                    + weightIh.dtype().torchName() + ", got " + input.dtype().torchName());
        }
        long[] want = input.dim() == 2 ? new long[] {input.size(0), hiddenSize} : new long[] {hiddenSize};
        if (hx == null) {
            return Tensor.zeros(input.dtype(), input.device(), want);
        }
        if (!Arrays.equals(hx.shape(), want) || hx.dtype() != input.dtype()) {
            throw new IllegalArgumentException(name + ": expected " + what + " of shape " + Arrays.toString(want)
                    + " and dtype " + input.dtype().torchName() + " for input " + Arrays.toString(input.shape())
                    + ", got " + Arrays.toString(hx.shape()) + " " + hx.dtype().torchName());
        }
        return hx;
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=False" : "");
    }
}
