package dev.ember.nn;

import dev.ember.nn.functional.Recurrent;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share, as PyTorch's {@code nn.RNNBase}: the constructor
 * arguments, the parameters (PyTorch's names {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0},
 * {@code bias_hh_l0}, and {@code ..._reverse} for the backward direction of a bidirectional network), their
 * initialisation U(+-1/sqrt(hidden_size)), and the checks and reshaping around {@link Recurrent#run}.
 *
 * <p>Not supported: LSTM {@code proj_size}, packed sequences.
 */
public abstract class RNNBase extends Module {
    public final Recurrent.Mode mode;
    public final long inputSize;
    public final long hiddenSize;
    public final int numLayers;
    public final boolean bias;
    public final boolean batchFirst;
    public final double dropout;
    public final boolean bidirectional;
    private final List<Tensor> flatWeights = new ArrayList<>();

    protected RNNBase(Recurrent.Mode mode, long inputSize, long hiddenSize, int numLayers, boolean bias,
                      boolean batchFirst, double dropout, boolean bidirectional) {
        String name = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(name + ": input_size and hidden_size must be greater than zero, got "
                    + inputSize + " and " + hiddenSize);
        }
        if (numLayers <= 0) {
            throw new IllegalArgumentException(name + ": num_layers must be greater than zero, got " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(name + ": dropout should be a number in range [0, 1] representing the "
                    + "probability of an element being zeroed, got " + dropout);
        }
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        long gateSize = mode.gates() * hiddenSize;
        int dirs = numDirections();
        for (int layer = 0; layer < numLayers; layer++) {
            long layerInput = layer == 0 ? inputSize : hiddenSize * dirs;
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + layer + (d == 1 ? "_reverse" : "");
                flatWeights.add(registerParameter("weight_ih" + suffix, Tensor.zeros(gateSize, layerInput)));
                flatWeights.add(registerParameter("weight_hh" + suffix, Tensor.zeros(gateSize, hiddenSize)));
                if (bias) {
                    flatWeights.add(registerParameter("bias_ih" + suffix, Tensor.zeros(gateSize)));
                    flatWeights.add(registerParameter("bias_hh" + suffix, Tensor.zeros(gateSize)));
                }
            }
        }
        resetParameters();
    }

    /** Every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch. */
    public void resetParameters() {
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        for (Tensor w : flatWeights) {
            Init.uniform(w, -stdv, stdv);
        }
    }

    /** 2 if bidirectional, else 1 (PyTorch's D). */
    public final int numDirections() {
        return bidirectional ? 2 : 1;
    }

    /** The parameters in PyTorch's flat order: per layer, per direction, weight_ih, weight_hh, bias_ih, bias_hh. */
    public final List<Tensor> flatWeights() {
        return Collections.unmodifiableList(flatWeights);
    }

    /**
     * Runs the network. input (L, N, H_in), (N, L, H_in) with batchFirst, or unbatched (L, H_in); each initial
     * state (D*num_layers, N, H), or (D*num_layers, H) for unbatched input, or null for zeros. Returns
     * {output, h_n} (plus c_n for LSTM) with output (L, N, D*H) / (N, L, D*H) / (L, D*H).
     */
    protected final Tensor[] run(Tensor input, Tensor... hx) {
        String name = getClass().getSimpleName();
        if (input.dim() != 2 && input.dim() != 3) {
            throw new IllegalArgumentException(name + ": expected input to be 2-D or 3-D but received " + input.dim()
                    + "-D tensor of shape " + Arrays.toString(input.shape()));
        }
        if (input.size(-1) != inputSize) {
            throw new IllegalArgumentException(name + ": input.size(-1) must be equal to input_size. Expected "
                    + inputSize + ", got " + input.size(-1) + " (input shape " + Arrays.toString(input.shape()) + ")");
        }
        Tensor w = flatWeights.get(0);
        if (input.dtype() != w.dtype()) {
            throw new IllegalArgumentException(name + ": input must have the parameters' type "
                    + w.dtype().torchName() + ", got " + input.dtype().torchName());
        }
        boolean batched = input.dim() == 3;
        int batchDim = batchFirst ? 0 : 1;
        Tensor x = batched ? input : input.unsqueeze(batchDim);
        long batch = x.size(batchDim);
        long[] expected = {(long) numDirections() * numLayers, batch, hiddenSize};
        Tensor[] states = new Tensor[mode.states()];
        for (int s = 0; s < states.length; s++) {
            Tensor h = s < hx.length ? hx[s] : null;
            if (h == null) {
                states[s] = Tensor.zeros(input.dtype(), input.device(), expected);
                continue;
            }
            if (h.dim() != input.dim()) {
                throw new IllegalArgumentException(name + ": for " + (batched ? "batched 3-D" : "unbatched 2-D")
                        + " input, hx" + (s == 0 ? "" : "[" + s + "]") + " should also be " + input.dim()
                        + "-D but got " + h.dim() + "-D tensor of shape " + Arrays.toString(h.shape()));
            }
            Tensor hb = batched ? h : h.unsqueeze(1);
            if (!Arrays.equals(hb.shape(), expected) || h.dtype() != input.dtype()) {
                long[] want = batched ? expected : new long[] {expected[0], expected[2]};
                throw new IllegalArgumentException(name + ": expected hidden" + (s == 0 ? "" : "[" + s + "]")
                        + " size " + Arrays.toString(want) + " and dtype " + input.dtype().torchName() + ", got "
                        + Arrays.toString(h.shape()) + " " + h.dtype().torchName());
            }
            states[s] = hb;
        }
        if (hx.length > states.length) {
            throw new IllegalArgumentException(name + ": expected at most " + states.length + " initial states, got "
                    + hx.length);
        }
        Tensor[] out = Recurrent.run(mode, x, states, flatWeights, bias, numLayers, dropout, isTraining(),
                bidirectional, batchFirst);
        if (!batched) {
            out[0] = out[0].squeeze(batchDim);
            for (int i = 1; i < out.length; i++) {
                out[i] = out[i].squeeze(1);
            }
        }
        return out;
    }

    /** As PyTorch: sizes, then the arguments that differ from their defaults (not the nonlinearity). */
    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) {
            s.append(", num_layers=").append(numLayers);
        }
        if (!bias) {
            s.append(", bias=False");
        }
        if (batchFirst) {
            s.append(", batch_first=True");
        }
        if (dropout != 0) {
            s.append(", dropout=").append(dropout);
        }
        if (bidirectional) {
            s.append(", bidirectional=True");
        }
        return s.toString();
    }

    /** "tanh" or "relu" to the matching mode; anything else is an error naming the layer. */
    static Recurrent.Mode rnnMode(String nonlinearity) {
        if (nonlinearity == null) {
            throw new IllegalArgumentException("RNN: nonlinearity must be 'tanh' or 'relu', got null");
        }
        return switch (nonlinearity) {
            case "tanh" -> Recurrent.Mode.RNN_TANH;
            case "relu" -> Recurrent.Mode.RNN_RELU;
            default -> throw new IllegalArgumentException("RNN: unknown nonlinearity '" + nonlinearity
                    + "'; expected 'tanh' or 'relu'");
        };
    }
}
